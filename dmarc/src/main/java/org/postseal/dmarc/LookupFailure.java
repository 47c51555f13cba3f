package org.postseal.dmarc;

import java.util.Objects;

/**
 * Why a DMARC lookup has no answer: DNS failed ({@link DmarcCause#DNS_FAILURE}: timeout, SERVFAIL, REFUSED,
 * network), or the message's deadline came before it was asked ({@link DmarcCause#DEADLINE}).
 *
 * @param cause  DNS_FAILURE or DEADLINE
 * @param detail the name and what went wrong, for logs
 */
record LookupFailure(DmarcCause cause, String detail) {

  public LookupFailure {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(detail, "detail");
    if (cause != DmarcCause.DNS_FAILURE && cause != DmarcCause.DEADLINE) {
      throw new IllegalArgumentException("a lookup fails by DNS_FAILURE or DEADLINE, not " + cause);
    }
  }
}
