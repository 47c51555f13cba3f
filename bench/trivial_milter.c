/*
 * The floor of bench/compare.sh: a libmilter filter (the library OpenDKIM is built on) that does the
 * least a header-adding milter can do: at end of message it adds "X-Bench-Floor: 1" and continues.
 * It asks for no other step, so its cost is libmilter's transport and nothing else.
 * By default it asks the MTA not to wait for replies to the steps before end of message. With "reply-all"
 * it replies to every step instead: through Postfix that is the faster of the two (~180 msg/s against
 * ~100 at 10 sessions, 2 KiB), because a no-reply packet that is not answered leaves Postfix's next write
 * waiting for a delayed ACK (Postfix does not set TCP_NODELAY on milter sockets).
 *
 *   cc -O2 -o trivial_milter trivial_milter.c -lmilter -lpthread
 *   trivial_milter inet:PORT@127.0.0.1 [reply-all]
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reply_all;

static sfsistat floor_eom(SMFICTX *ctx) {
  smfi_addheader(ctx, "X-Bench-Floor", "1");
  return SMFIS_CONTINUE;
}

static sfsistat floor_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
                                unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3) {
  *pf0 = SMFIF_ADDHDRS;
  /* no reply to any step before end of message, where the MTA offers that; or a reply to every step */
  *pf1 = reply_all ? 0 : f1 & (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA
                               | SMFIP_NR_UNKN | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NR_HDR);
  *pf2 = 0;
  *pf3 = 0;
  return SMFIS_CONTINUE;
}

static struct smfiDesc floor_filter = {
  "bench-floor", SMFI_VERSION, SMFIF_ADDHDRS,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, floor_eom, NULL, NULL, NULL, NULL, floor_negotiate,
};

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "reply-all") != 0)) {
    fprintf(stderr, "usage: %s inet:PORT@127.0.0.1 [reply-all]\n", argv[0]);
    return 2;
  }
  reply_all = argc == 3;
  if (smfi_setconn(argv[1]) == MI_FAILURE || smfi_register(floor_filter) == MI_FAILURE) {
    fprintf(stderr, "trivial_milter: cannot set up %s\n", argv[1]);
    return 1;
  }
  smfi_setbacklog(512);
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
