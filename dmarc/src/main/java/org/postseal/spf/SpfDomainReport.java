package org.postseal.spf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link SpfDomainCheck} found for one domain.
 *
 * @param status      whether there is exactly one valid record
 * @param domain      the domain checked
 * @param recordText  the record as published (the records joined by " | " when there are several)
 * @param failure     the DNS failure, the syntax error or the count of records, in words; else empty
 * @param lookups     the DNS-querying terms of the record and of every include and redirect it leads to
 * @param lookupLimit what check_host() allows (RFC 7208 section 4.6.4): more is a permerror for every message
 * @param problems    what makes receivers return permerror or temperror on the way (a missing include, a loop)
 * @param notes       what could not be counted (includes with macros)
 * @param usesPtr     the record has a ptr mechanism, which RFC 7208 section 5.5 says not to use
 * @param ending      the qualifier of the "all" that ends the evaluation (through redirects), if any
 */
public record SpfDomainReport(Status status, String domain, String recordText, String failure, int lookups,
                              int lookupLimit, List<String> problems, List<String> notes, boolean usesPtr,
                              Optional<SpfQualifier> ending) {

  /** Whether the domain publishes exactly one valid record. */
  public enum Status {
    FOUND, NO_RECORD, SEVERAL_RECORDS, INVALID, DNS_FAILURE
  }

  public SpfDomainReport {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(recordText, "recordText");
    Objects.requireNonNull(failure, "failure");
    problems = List.copyOf(problems);
    notes = List.copyOf(notes);
    Objects.requireNonNull(ending, "ending");
  }

  static SpfDomainReport without(Status status, String domain, String recordText, String failure) {
    return new SpfDomainReport(status, domain, recordText, failure, 0, SpfLimits.RFC_MAX_DNS_TERMS, List.of(),
        List.of(), false, Optional.empty());
  }

  /** True when receivers would return permerror for every message, for the lookups alone. */
  public boolean isOverLookupLimit() {
    return lookups > lookupLimit;
  }
}
