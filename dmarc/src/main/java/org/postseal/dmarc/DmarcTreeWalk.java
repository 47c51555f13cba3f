package org.postseal.dmarc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one DNS tree walk (RFC 9989 section 4.10) found, starting at {@code startDomain}: each name queried
 * (without the "_dmarc." label) with the one valid DMARC record found there, if any. The walk stops at a
 * record with psd=y or psd=n, after the last label, or at the first DNS failure ({@code failure}).
 *
 * @param startDomain lower case, no trailing dot
 * @param steps       in query order: longest name first
 * @param failure     why the walk stopped early (a DNS failure, the message's deadline), else empty
 */
record DmarcTreeWalk(String startDomain, List<Step> steps, Optional<LookupFailure> failure) {

  /** One query of the walk: the domain and the single valid DMARC record at "_dmarc." + domain. */
  public record Step(String domain, Optional<DmarcRecord> record) {
    public Step {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(record, "record");
    }
  }

  public DmarcTreeWalk {
    Objects.requireNonNull(startDomain, "startDomain");
    steps = List.copyOf(steps);
    Objects.requireNonNull(failure, "failure");
  }

  /** True when the walk ran to its end: its conclusions stand. */
  public boolean isComplete() {
    return failure.isEmpty();
  }

  /** The record found at {@code domain} in this walk, if it was queried and had one. */
  public Optional<DmarcRecord> recordAt(String domain) {
    for (Step step : steps) {
      if (step.domain().equals(domain)) {
        return step.record();
      }
    }
    return Optional.empty();
  }

  /**
   * Section 4.10.2: of the records found, longest name first, the first with psd=n is the Organizational
   * Domain; the first with psd=y (other than at the start) makes the name one label below it the
   * Organizational Domain; else the record with the fewest labels; with no record, the start itself.
   * Meaningful only when {@link #isComplete()}.
   */
  public String organizationalDomain() {
    Step shortest = null;
    for (Step step : steps) {
      if (step.record().isEmpty()) {
        continue;
      }
      DmarcRecord.Psd psd = step.record().get().psd();
      if (psd == DmarcRecord.Psd.N) {
        return step.domain();
      }
      if (psd == DmarcRecord.Psd.Y && !step.domain().equals(startDomain)) {
        return oneLabelBelow(step.domain());
      }
      shortest = step;
    }
    return shortest == null ? startDomain : shortest.domain();
  }

  /** The PSD record found (psd=y at a name other than the start), the last resort of policy discovery. */
  public Optional<Step> publicSuffixStep() {
    for (Step step : steps) {
      if (!step.domain().equals(startDomain) && step.record().isPresent()
          && step.record().get().psd() == DmarcRecord.Psd.Y) {
        return Optional.of(step);
      }
    }
    return Optional.empty();
  }

  /** The suffix of the start domain with one label more than {@code ancestor}. */
  private String oneLabelBelow(String ancestor) {
    String[] labels = startDomain.split("\\.");
    int keep = ancestor.split("\\.").length + 1;
    return String.join(".", Arrays.copyOfRange(labels, labels.length - keep, labels.length));
  }

  /**
   * The names a walk from {@code domain} queries, in order (section 4.10 steps 3-7): the domain, then,
   * for 8 or more labels, its last 7 labels, then one label fewer each time down to the top-level label.
   * Never more than 8.
   */
  static List<String> targets(String domain) {
    return targets(domain, DmarcPolicySource.MAX_QUERIES);
  }

  /** The same with at most {@code maxQueries} names: the jump after the first is to the last maxQueries - 1 labels. */
  static List<String> targets(String domain, int maxQueries) {
    String[] labels = domain.split("\\.");
    List<String> out = new ArrayList<>();
    out.add(domain);
    int next = Math.min(labels.length - 1, maxQueries - 1);
    for (int keep = next; keep >= 1; keep--) {
      out.add(String.join(".", Arrays.copyOfRange(labels, labels.length - keep, labels.length)));
    }
    return List.copyOf(out);
  }
}
