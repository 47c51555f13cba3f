package org.postseal.dmarc;

/** adkim= and aspf= (RFC 9989 section 4.7): how closely an authenticated domain must match the From domain. */
public enum DmarcAlignmentMode {
  /** "r": the same Organizational Domain (section 3.2.10.1). The default. */
  RELAXED("r"),
  /** "s": the identical domain (section 3.2.10.2). */
  STRICT("s");

  private final String tagValue;

  DmarcAlignmentMode(String tagValue) {
    this.tagValue = tagValue;
  }

  public String tagValue() {
    return tagValue;
  }
}
