package org.postseal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.CRC32;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the man pages the Debian package installs, from what they document so that they cannot drift:
 * postseal(8) from the command line's own model (every command, its synopsis, options and descriptions, as
 * {@code --help} prints them), postseal.toml(5) from the reference configuration (every key with its comment
 * and default). packaging runs it at {@code package}: {@code ManPages OUT_DIR REFERENCE_TOML [FILE...]}. The
 * pages are troff, compressed as {@code gzip -9n} would (Debian policy 12.1); each further FILE (the package's
 * changelog, policy 12.7) is compressed the same way into FILE.gz beside it.
 */
public final class ManPages {

  private static final Pattern KEY_LINE = Pattern.compile("^([a-z][a-z-]*) = (.*)$");
  private static final Pattern UNBUILT_KEY_LINE = Pattern.compile("^# ([a-z][a-z-]*) = (.*)$");
  private static final Pattern SECTION_LINE = Pattern.compile("^\\[([a-z]+)]$");

  private ManPages() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ManPages OUT_DIR REFERENCE_TOML [FILE_TO_GZIP...]");
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    writeGzip(out.resolve("postseal.8.gz"), commandPage(VersionProvider.version()));
    writeGzip(out.resolve("postseal.toml.5.gz"),
        configPage(Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8), VersionProvider.version()));
    for (int i = 2; i < args.length; i++) {
      Path file = Path.of(args[i]);
      Files.write(file.resolveSibling(file.getFileName() + ".gz"), gzip9n(Files.readAllBytes(file)));
    }
  }

  /** postseal(8): every command with its synopsis and options. */
  static String commandPage(String version) {
    CommandLine root = Main.commandLine();
    StringBuilder page = new StringBuilder();
    header(page, "POSTSEAL", 8, version, "System Administration");
    String summary = root.getCommandSpec().usageMessage().description()[0].replaceAll("\\.$", "");
    page.append(".SH NAME\npostseal \\- ").append(text(summary)).append('\n');
    page.append(".SH SYNOPSIS\n.B postseal\n.I command\n.RI [ options ]\n");
    page.append(".SH DESCRIPTION\n")
        .append("Postseal is a milter for Postfix: it signs outgoing mail with DKIM, checks DKIM, SPF and DMARC on\n")
        .append("incoming mail, adds an Authentication-Results header and enforces DMARC policies.\n")
        .append(".B postseal serve\nruns the milter (the Debian package runs it as\n.BR postseal.service );\n")
        .append("the other commands make and check keys, audit a domain, replay saved messages and check the\n")
        .append("configuration.\n");
    page.append(".SH COMMANDS\n");
    for (CommandLine command : root.getSubcommands().values()) {
      if (!command.getCommandName().equals("help")) {
        command(page, command);
      }
    }
    page.append(".SH FILES\n")
        .append(".TP\n.I /etc/postseal/postseal.toml\nthe configuration (see\n.BR postseal.toml (5));\n")
        .append("without it and without\n.BR \\-\\-config ,\nbuilt-in defaults.\n")
        .append(".TP\n.I /var/lib/postseal/keys/DOMAIN/SELECTOR.pem\na private key (PKCS#8 PEM, mode 0600, owned by postseal);\n")
        .append(".I SELECTOR.txt\nbeside it is the DNS record to publish,\n.I keys.state\nthe keys' states.\n")
        .append(".TP\n.I /var/spool/postfix/postseal/\nthe directory of the unix socket, when\n.B listen\nsays\n")
        .append(".BR unix: .\n");
    page.append(".SH EXIT STATUS\n0 success, 1 a failure described on standard error, 2 a usage error.\n");
    page.append(".SH SEE ALSO\n.BR postseal.toml (5),\n.BR postconf (5),\n.BR systemd.exec (5)\n");
    return page.toString();
  }

  private static void command(StringBuilder page, CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    if (spec.usageMessage().hidden()) {
      return;
    }
    String path = spec.qualifiedName();
    page.append(".SS \"").append(option(path)).append("\"\n");
    CommandLine.Help help = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    page.append(".nf\n").append(option(help.synopsis(0).strip())).append("\n.fi\n");
    page.append(".PP\n").append(text(String.join(" ", spec.usageMessage().description()))).append('\n');
    for (PositionalParamSpec positional : spec.positionalParameters()) {
      if (!positional.hidden() && positional.description().length > 0) {
        page.append(".TP\n.I ").append(option(positional.paramLabel())).append('\n')
            .append(text(String.join(" ", positional.description()))).append('\n');
      }
    }
    for (OptionSpec opt : spec.options()) {
      if (opt.hidden() || opt.usageHelp() || opt.versionHelp()) {
        continue;
      }
      page.append(".TP\n.B ").append(option(String.join(", ", opt.names())));
      if (opt.arity().max() > 0) {
        page.append(" \\fI").append(option(opt.paramLabel())).append("\\fR");
      }
      page.append('\n').append(text(String.join(" ", opt.description()).replace("${DEFAULT-VALUE}",
          String.valueOf(opt.defaultValue())))).append('\n');
    }
    for (CommandLine sub : command.getSubcommands().values()) {
      command(page, sub);
    }
  }

  /** postseal.toml(5): every key of the reference file, with the comment above it and its default. */
  static String configPage(List<String> reference, String version) {
    StringBuilder page = new StringBuilder();
    header(page, "POSTSEAL.TOML", 5, version, "File Formats");
    page.append(".SH NAME\npostseal.toml \\- configuration of the Postseal milter\n");
    page.append(".SH DESCRIPTION\n")
        .append("One TOML file, by default\n.IR /etc/postseal/postseal.toml .\n")
        .append("Every key is optional; the value shown is its default. Check a file with\n")
        .append(".BR \"postseal config check\" ;\n")
        .append(".B postseal serve\nreloads it on SIGHUP and keeps the running configuration when the new one has errors.\n")
        .append("Keys marked \"not in this release\" are refused when set: their feature is not built yet.\n");
    page.append(".SH KEYS\n.SS \"Top level\"\n");
    // the comment lines since the last blank line belong to the key below them (the file's header is
    // followed by a blank line)
    List<String> comment = new ArrayList<>();
    for (String raw : reference) {
      String line = raw.strip();
      Matcher section = SECTION_LINE.matcher(line);
      Matcher key = KEY_LINE.matcher(line);
      Matcher unbuilt = UNBUILT_KEY_LINE.matcher(line);
      if (section.matches()) {
        page.append(".SS \"[").append(section.group(1)).append("]\"\n");
        comment.clear();
      } else if (key.matches() || unbuilt.matches()) {
        Matcher m = key.matches() ? key : unbuilt;
        page.append(".TP\n\\fB").append(option(m.group(1) + " = " + m.group(2)).replace("\"", "\\(dq"))
            .append("\\fR\n").append(text(String.join(" ", comment))).append('\n');
        comment.clear();
      } else if (line.startsWith("#")) {
        comment.add(line.replaceFirst("^#+ ?", ""));
      } else {
        comment.clear();
      }
    }
    page.append(".SH SEE ALSO\n.BR postseal (8)\n");
    return page.toString();
  }

  private static void header(StringBuilder page, String title, int section, String version, String manual) {
    page.append(".\\\" Generated by org.postseal.cli.ManPages; edit the source, not this file.\n")
        .append(".TH ").append(title).append(' ').append(section).append(" \"\" \"postseal ").append(text(version))
        .append("\" \"").append(manual).append("\"\n");
  }

  /** Running text: backslashes escaped, no line may start with a control character. */
  static String text(String s) {
    String escaped = s.replace("\\", "\\e");
    StringBuilder out = new StringBuilder();
    for (String line : escaped.split("\n", -1)) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
    }
    return out.toString();
  }

  /** Option names, commands and values: as {@link #text}, with every hyphen a minus sign (what is typed). */
  static String option(String s) {
    return text(s).replace("-", "\\-");
  }

  private static void writeGzip(Path file, String troff) throws IOException {
    Files.write(file, gzip9n(troff.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * What {@code gzip -9n} writes: the highest compression, marked as such in the header (XFL = 2, which lintian
   * checks and the JDK's GZIPOutputStream never sets), no file name, no time stamp.
   */
  static byte[] gzip9n(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    // magic, CM = deflate, FLG = 0, MTIME = 0, XFL = 2 (maximum compression), OS = 3 (Unix)
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      int n = deflater.deflate(buffer);
      out.write(buffer, 0, n);
    }
    deflater.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    writeLittleEndian(out, crc.getValue());
    writeLittleEndian(out, data.length & 0xffffffffL);
    return out.toByteArray();
  }

  private static void writeLittleEndian(java.io.ByteArrayOutputStream out, long value) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }
}
