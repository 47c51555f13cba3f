package org.postseal.dmarc;

/** Records for tests of other packages, read by the package-private parser. */
public final class DmarcRecords {

  private DmarcRecords() {
  }

  /** {@code text} as a valid DMARC record; fails the test when the parser refuses it. */
  public static DmarcRecord parse(String text) {
    if (DmarcRecordParser.parse(text) instanceof DmarcRecordParser.Valid valid) {
      return valid.record();
    }
    throw new AssertionError("not a valid DMARC record: " + text);
  }
}
