package org.postseal.milter.client;

import java.util.List;

/**
 * A change the milter asked for at end of message, before its final reply. Header values are as sent:
 * folds as bare LF, with the leading space only when SMFIP_HDR_LEADSPC was negotiated.
 */
public sealed interface Modification {

  /** The reply code (SMFIR_*) that carried it. */
  char code();

  /** A header edit: insert, change (or delete) or add. */
  sealed interface HeaderChange extends Modification {
    String name();

    String value();
  }

  /** SMFIR_INSHEADER: {@code index} 0 is the top (Postfix counts from 0 here, as Sendmail does). */
  record Insert(int index, String name, String value) implements HeaderChange {
    @Override
    public char code() {
      return MilterProtocol.SMFIR_INSHEADER;
    }
  }

  /** SMFIR_CHGHEADER: the {@code index}-th (1-based; Postfix reads 0 as 1) field of that name; an empty value deletes it. */
  record Change(int index, String name, String value) implements HeaderChange {
    public boolean isDelete() {
      return value.isEmpty();
    }

    @Override
    public char code() {
      return MilterProtocol.SMFIR_CHGHEADER;
    }
  }

  /** SMFIR_ADDHEADER: append at the end of the header. */
  record Add(String name, String value) implements HeaderChange {
    @Override
    public char code() {
      return MilterProtocol.SMFIR_ADDHEADER;
    }
  }

  /** SMFIR_REPLBODY: one chunk of the new body (a milter may send several, in order). */
  record ReplaceBody(byte[] chunk) implements Modification {
    @Override
    public char code() {
      return MilterProtocol.SMFIR_REPLBODY;
    }
  }

  /** SMFIR_QUARANTINE: hold the message, with a reason. */
  record Quarantine(String reason) implements Modification {
    @Override
    public char code() {
      return MilterProtocol.SMFIR_QUARANTINE;
    }
  }

  /** Any other modification (envelope changes, codes we do not model), with the NUL-terminated strings of its payload. */
  record Other(char code, List<String> strings) implements Modification {
  }
}
