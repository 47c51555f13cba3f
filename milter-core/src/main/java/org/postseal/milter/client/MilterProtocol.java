package org.postseal.milter.client;

/**
 * The codes and flags of milter protocol version 6 (Sendmail's libmilter/mfdef.h) that an MTA needs.
 * Commands go from the MTA to the milter, replies come back.
 */
public final class MilterProtocol {

  private MilterProtocol() {
  }

  // commands (SMFIC_*)
  public static final char SMFIC_ABORT = 'A';
  public static final char SMFIC_BODY = 'B';
  public static final char SMFIC_CONNECT = 'C';
  public static final char SMFIC_MACRO = 'D';
  public static final char SMFIC_BODYEOB = 'E';
  public static final char SMFIC_HELO = 'H';
  public static final char SMFIC_HEADER = 'L';
  public static final char SMFIC_MAIL = 'M';
  public static final char SMFIC_EOH = 'N';
  public static final char SMFIC_OPTNEG = 'O';
  public static final char SMFIC_QUIT = 'Q';
  public static final char SMFIC_RCPT = 'R';
  public static final char SMFIC_DATA = 'T';

  // replies that end a step (SMFIR_*)
  public static final char SMFIR_ACCEPT = 'a';
  public static final char SMFIR_CONTINUE = 'c';
  public static final char SMFIR_DISCARD = 'd';
  public static final char SMFIR_CONN_FAIL = 'f';
  public static final char SMFIR_REJECT = 'r';
  public static final char SMFIR_SKIP = 's';
  public static final char SMFIR_TEMPFAIL = 't';
  public static final char SMFIR_REPLYCODE = 'y';
  public static final char SMFIR_SHUTDOWN = '4';
  // replies that do not end a step
  public static final char SMFIR_PROGRESS = 'p';
  // modifications, at end of message only
  public static final char SMFIR_ADDHEADER = 'h';
  public static final char SMFIR_INSHEADER = 'i';
  public static final char SMFIR_CHGHEADER = 'm';
  public static final char SMFIR_REPLBODY = 'b';
  public static final char SMFIR_QUARANTINE = 'q';

  // protocol steps (SMFIP_*): what the milter does not want sent, or answered
  public static final int SMFIP_NOCONNECT = 0x1;
  public static final int SMFIP_NOHELO = 0x2;
  public static final int SMFIP_NOMAIL = 0x4;
  public static final int SMFIP_NORCPT = 0x8;
  public static final int SMFIP_NOBODY = 0x10;
  public static final int SMFIP_NOHDRS = 0x20;
  public static final int SMFIP_NOEOH = 0x40;
  public static final int SMFIP_NOHREPL = 0x80;
  public static final int SMFIP_NODATA = 0x200;
  public static final int SMFIP_NR_CONN = 0x1000;
  public static final int SMFIP_NR_HELO = 0x2000;
  public static final int SMFIP_NR_MAIL = 0x4000;
  public static final int SMFIP_NR_RCPT = 0x8000;
  public static final int SMFIP_NR_DATA = 0x10000;
  public static final int SMFIP_NR_UNKN = 0x20000;
  public static final int SMFIP_NR_EOH = 0x40000;
  public static final int SMFIP_NR_BODY = 0x80000;
  public static final int SMFIP_HDR_LEADSPC = 0x100000;
  /** Every no-reply flag. */
  public static final int NO_REPLY_FLAGS = SMFIP_NOHREPL | SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT
      | SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_EOH | SMFIP_NR_BODY;
  /** What Postfix 3.x offers with milter_protocol = 6 (MILTER8_V6_PROTO_MASK). */
  public static final int POSTFIX_V6_STEPS = 0x1FFFFF;
  /** SMFIF_ADDHDRS .. SMFIF_SETSYMLIST: every action Postfix offers. */
  public static final int POSTFIX_ACTIONS = 0x1FF;

  // macro stages (SMFIM_*) in the option negotiation reply
  public static final int SMFIM_CONNECT = 0;
  public static final int SMFIM_HELO = 1;
  public static final int SMFIM_ENVFROM = 2;
  public static final int SMFIM_ENVRCPT = 3;
  public static final int SMFIM_DATA = 4;
  public static final int SMFIM_EOM = 5;
  public static final int SMFIM_EOH = 6;

  /** Postfix's MILTER_CHUNK_SIZE: the largest body packet. */
  public static final int MAX_CHUNK = 65535;
}
