package org.postseal.milter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether one complete milter packet may reach jmilter: its command is one the protocol defines, it
 * comes in an order jmilter can answer, and its payload has the shape jmilter's parser expects. jmilter 0.6.1
 * checks little of that itself and reacts badly to the rest (its sources at v0.6.1):
 * <ul>
 *   <li>an empty packet or a macro packet without a stage byte throws inside the decoder or the command
 *       engine, which logs the exception with a 24-37 line stack trace and a hex dump of the whole packet;</li>
 *   <li>a macro packet with a name but no value throws the same way;</li>
 *   <li>any command before option negotiation finds no negotiated protocol steps, so its reply fails with a
 *       NullPointerException and the MTA waits for ever;</li>
 *   <li>a connect packet of family '4' hands its address text to {@code InetAddress.getByName}, a blocking DNS
 *       lookup on the event loop when the text is a name;</li>
 *   <li>an unknown command byte is answered "continue" as if it were SMFIC_UNKNOWN;</li>
 *   <li>each NUL-terminated string of a MAIL, RCPT or macro packet becomes an object, so a 256 KiB packet of
 *       NULs makes a quarter of a million of them.</li>
 * </ul>
 * Pure and thread-safe.
 */
final class CommandSyntax {

  /** Every command of the milter protocol, version 2 to 6 (libmilter's mfdef.h). */
  static final String COMMANDS = "ABCDEHKLMNOQRTU";
  /** ESMTP parameters of one MAIL or RCPT: Postfix passes the address and at most a handful (SIZE, BODY, NOTIFY, ...). */
  static final int MAX_ARGUMENTS = 64;
  /** Macro names and values of one packet: we ask for at most four per stage; Sendmail sends a dozen unasked. */
  static final int MAX_MACRO_STRINGS = 2 * 64;

  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

  private CommandSyntax() {
  }

  /**
   * What is wrong with the packet, or empty when jmilter may have it.
   *
   * @param command    the command byte
   * @param payload    everything after it
   * @param negotiated whether option negotiation has completed on this connection
   */
  static Optional<String> problem(int command, byte[] payload, boolean negotiated) {
    if (command < 0 || COMMANDS.indexOf(command) < 0) {
      return Optional.of("unknown command 0x" + Integer.toHexString(command & 0xFF));
    }
    if (!negotiated && command != 'O' && command != 'A' && command != 'Q') {
      return Optional.of(name(command) + " before option negotiation");
    }
    return switch (command) {
      case 'O' -> optionNegotiation(payload);
      case 'D' -> macros(payload);
      case 'C' -> connect(payload);
      case 'H' -> indexOfNul(payload, 0) < 0 ? Optional.of("HELO without a terminating NUL") : Optional.empty();
      case 'L' -> header(payload);
      case 'M', 'R' -> countStrings(payload, 0) > MAX_ARGUMENTS
          ? Optional.of(name(command) + " with more than " + MAX_ARGUMENTS + " arguments") : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** The command's name for a log line: "MAIL", "header", or the byte in hex. */
  static String name(int command) {
    return switch (command) {
      case 'A' -> "abort";
      case 'B' -> "body";
      case 'C' -> "connect";
      case 'D' -> "macros";
      case 'E' -> "end of message";
      case 'H' -> "HELO";
      case 'K' -> "quit (new connection follows)";
      case 'L' -> "header";
      case 'M' -> "MAIL";
      case 'N' -> "end of headers";
      case 'O' -> "option negotiation";
      case 'Q' -> "quit";
      case 'R' -> "RCPT";
      case 'T' -> "DATA";
      case 'U' -> "unknown SMTP command";
      default -> "command 0x" + Integer.toHexString(command & 0xFF);
    };
  }

  /**
   * SMFIC_OPTNEG: version, actions, steps, 4 bytes each. jmilter refuses versions below 2 and reads only the
   * version's last byte, as a signed byte: above 127 it would see another version, or a negative one (found by
   * MilterFrameFuzzTest: version 250 read as -6).
   */
  private static Optional<String> optionNegotiation(byte[] payload) {
    if (payload.length != 12) {
      return Optional.of("option negotiation of " + payload.length + " bytes (12 expected)");
    }
    int version = ((payload[0] & 0xFF) << 24) | ((payload[1] & 0xFF) << 16) | ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
    if (version < 2 || version > 127) {
      return Optional.of("protocol version " + version + " (2..127 expected)");
    }
    return Optional.empty();
  }

  /** SMFIC_MACRO: the stage byte, then name NUL value NUL pairs; a trailing string without NUL is refused too. */
  private static Optional<String> macros(byte[] payload) {
    if (payload.length == 0) {
      return Optional.of("macros without a stage");
    }
    if (payload.length > 1 && payload[payload.length - 1] != 0) {
      return Optional.of("macros not terminated by NUL");
    }
    int strings = countStrings(payload, 1);
    if (strings % 2 != 0) {
      return Optional.of("a macro name without a value");
    }
    if (strings > MAX_MACRO_STRINGS) {
      return Optional.of("more than " + MAX_MACRO_STRINGS / 2 + " macros in one packet");
    }
    return Optional.empty();
  }

  /**
   * SMFIC_CONNECT: host NUL, family, then for '4', '6' and 'L' a port and an address NUL. Postfix sends the
   * unknown family 'U' with nothing after it, not even a NUL (milter8.c, milter8_conn_event): see
   * {@link #asJmilterExpects}.
   */
  private static Optional<String> connect(byte[] payload) {
    int hostEnd = indexOfNul(payload, 0);
    if (hostEnd < 0 || hostEnd + 1 >= payload.length) {
      return Optional.of("connect without host name and family");
    }
    int family = payload[hostEnd + 1];
    if (family == 'U') {
      return Optional.empty();
    }
    if (payload[payload.length - 1] != 0) {
      return Optional.of("connect without a terminating NUL");
    }
    if (family != '4' && family != '6' && family != 'L') {
      return Optional.of("connect with unknown address family 0x" + Integer.toHexString(family & 0xFF));
    }
    int addressStart = hostEnd + 4;
    if (addressStart > payload.length - 1) {
      return Optional.of("connect without port and address");
    }
    if (family == '4') {
      String address = new String(payload, addressStart, payload.length - 1 - addressStart, StandardCharsets.ISO_8859_1);
      if (!IPV4.matcher(address).matches()) {
        return Optional.of("connect with an IPv4 address that is not a literal");
      }
    }
    return Optional.empty();
  }

  /**
   * The payload as jmilter 0.6.1 parses it: a connect of the unknown family without a final NUL (as Postfix sends
   * it) gets one, since jmilter drops a connect packet that does not end in NUL. Every other payload as it is.
   */
  static byte[] asJmilterExpects(int command, byte[] payload) {
    if (command == 'C' && payload.length > 0 && payload[payload.length - 1] != 0) {
      return Arrays.copyOf(payload, payload.length + 1);
    }
    return payload;
  }

  /** SMFIC_HEADER: name NUL value NUL, both present. */
  private static Optional<String> header(byte[] payload) {
    int nameEnd = indexOfNul(payload, 0);
    if (payload.length == 0 || payload[payload.length - 1] != 0 || nameEnd + 1 >= payload.length) {
      return Optional.of("header field without name and value");
    }
    return Optional.empty();
  }

  private static int indexOfNul(byte[] payload, int from) {
    for (int i = from; i < payload.length; i++) {
      if (payload[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /** NUL-terminated strings from {@code from} on, as jmilter's splitByZeroTerm counts them. */
  private static int countStrings(byte[] payload, int from) {
    int count = 0;
    for (int i = from; i < payload.length; i++) {
      if (payload[i] == 0) {
        count++;
      }
    }
    return count;
  }
}
