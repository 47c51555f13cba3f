package org.postseal.authres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postseal.authres.AuthenticationResultsHeader.Property;
import org.postseal.dkim.DkimCause;
import org.postseal.dkim.DkimResult;
import org.postseal.dmarc.DmarcAction;
import org.postseal.dmarc.DmarcCause;
import org.postseal.dmarc.DmarcDisposition;
import org.postseal.dmarc.DmarcOutcome;
import org.postseal.dmarc.DmarcPolicy;
import org.postseal.dmarc.DmarcRecord;
import org.postseal.dmarc.DmarcRecords;
import org.postseal.dmarc.DmarcResult;
import org.postseal.mail.HeaderField;
import org.postseal.mail.SmtpReply;
import org.postseal.spf.SpfCause;
import org.postseal.spf.SpfIdentity;
import org.postseal.spf.SpfOutcome;
import org.postseal.spf.SpfResult;
import org.postseal.testdata.TestData;

class AuthenticationResultsHeaderTest {

  private static final String ID = "mx.example.org";
  private static final String SIG_A = "dGhpcyBpcyB0aGUgZmlyc3Qgc2lnbmF0dXJl+/8=";
  private static final String SIG_B = "ZmVkY2JhOTg3NjU0MzIxMA==";

  private static DkimResult dkim(DkimCause cause, String detail, String d, String s, String b) {
    return new DkimResult(cause, detail, d, s, "rsa-sha256", b, "@" + d);
  }

  @Test
  void typicalInboundMessage_isWrittenOneResinfoPerLine() {
    HeaderField field = AuthenticationResultsHeader.builder(ID)
        .dkim(List.of(dkim(DkimCause.VERIFIED, "", "example.com", "sel2025", SIG_A)))
        .method("spf", "pass", null, List.of(new Property("smtp.mailfrom", "alice@example.com")))
        .method("dmarc", "pass", "p=reject sp=none dis=none",
            List.of(new Property("header.from", "example.com"), new Property("policy.dmarc", "reject")))
        .build();

    assertThat(field.name()).isEqualTo("Authentication-Results");
    assertThat(field.value()).isEqualTo(" mx.example.org;\r\n"
        + "\tdkim=pass (signature verified) header.d=example.com header.s=sel2025 header.a=rsa-sha256"
        + " header.b=\"dGhpcyBp\";\r\n"
        + "\tspf=pass smtp.mailfrom=alice@example.com;\r\n"
        + "\tdmarc=pass (p=reject sp=none dis=none) header.from=example.com policy.dmarc=reject");
  }

  @Test
  void dmarcFailure_carriesThePolicyCommentAndProperty() {
    HeaderField field = AuthenticationResultsHeader.builder(ID)
        .method("dmarc", "fail", "p=reject sp=none dis=reject",
            List.of(new Property("header.from", "example.com"), new Property("policy.dmarc", "reject")))
        .build();

    assertThat(field.value()).isEqualTo(" mx.example.org;\r\n"
        + "\tdmarc=fail (p=reject sp=none dis=reject) header.from=example.com policy.dmarc=reject");
  }

  @Test
  void failedSignature_hasItsCauseAsComment() {
    HeaderField field = AuthenticationResultsHeader.builder(ID)
        .dkim(List.of(dkim(DkimCause.BODY_HASH_MISMATCH, "", "example.com", "s1", SIG_B)))
        .build();

    assertThat(field.value()).isEqualTo(" mx.example.org;\r\n"
        + "\tdkim=fail (body hash did not verify) header.d=example.com header.s=s1 header.a=rsa-sha256"
        + " header.b=\"ZmVkY2Jh\"");
  }

  @Test
  void noSignature_isDkimNone() {
    assertThat(AuthenticationResultsHeader.builder(ID).dkim(List.of()).build().value())
        .isEqualTo(" mx.example.org;\r\n\tdkim=none");
  }

  @Test
  void unparsableSignature_omitsTheEmptyProperties() {
    DkimResult broken = new DkimResult(DkimCause.MISSING_TAG, "d=", "", "", "", "", "");

    assertThat(AuthenticationResultsHeader.builder(ID).dkim(List.of(broken)).build().value())
        .isEqualTo(" mx.example.org;\r\n\tdkim=permerror (signature lacks a required tag: d=)");
  }

  @Test
  void noResults_isAuthservIdNone() {
    assertThat(AuthenticationResultsHeader.builder(ID).build().value()).isEqualTo(" mx.example.org; none");
  }

  @Test
  void headerB_isTheShortestPrefixThatTellsTheSignaturesApart() {
    String common = "AAAAAAAAAAAA";
    List<DkimResult> results = List.of(
        dkim(DkimCause.VERIFIED, "", "example.com", "rsa", common + "xyz1"),
        dkim(DkimCause.VERIFIED, "", "example.com", "ed", common + "xyz2"),
        dkim(DkimCause.SIGNATURE_MISMATCH, "", "other.example", "s", "BBBBBBBBBBBBBBBB"));

    String value = AuthenticationResultsHeader.builder(ID).dkim(results).build().value();

    assertThat(value).contains("header.b=\"" + common + "xyz1\"")
        .contains("header.b=\"" + common + "xyz2\"")
        .contains("header.b=\"BBBBBBBB\"");
  }

  @Test
  void headerB_prefixIsUniqueForAnyMixOfSignatures() {
    List<String> signatures = List.of("abcdefgh1", "abcdefgh2", "abcdefghij", "abcdefgh", "zz", "abcdefgh1x");
    for (String signature : signatures) {
      String prefix = AuthenticationResultsHeader.signaturePrefix(signature, signatures);

      assertThat(signature).startsWith(prefix);
      assertThat(prefix.length()).isGreaterThanOrEqualTo(Math.min(8, signature.length()));
      for (String other : signatures) {
        if (!other.equals(signature) && other.startsWith(prefix)) {
          // only acceptable when the whole signature is a prefix of the other one: nothing longer exists
          assertThat(prefix).isEqualTo(signature);
        }
      }
    }
  }

  @Test
  void headerB_ignoresFoldingWhiteSpaceInTheSignature() {
    String value = AuthenticationResultsHeader.builder(ID)
        .dkim(List.of(dkim(DkimCause.VERIFIED, "", "example.com", "s", "dGhp\r\n cyBp cyB0")))
        .build().value();

    assertThat(value).contains("header.b=\"dGhpcyBp\"");
  }

  @Test
  void valuesThatAreNotTokens_areQuotedAndEscaped() {
    String value = AuthenticationResultsHeader.builder(ID)
        .method("spf", "fail", null, List.of(
            new Property("smtp.mailfrom", "\"odd local\"@example.com"),
            new Property("smtp.helo", "[192.0.2.1]"),
            new Property("header.from", "a\\b\"c")))
        .build().value();

    assertThat(value).isEqualTo(" mx.example.org;\r\n\tspf=fail"
        + " smtp.mailfrom=\"\\\"odd local\\\"@example.com\""
        + " smtp.helo=\"[192.0.2.1]\""
        + " header.from=\"a\\\\b\\\"c\"");
  }

  @Test
  void addressesAndDomains_stayUnquoted() {
    String value = AuthenticationResultsHeader.builder(ID)
        .method("spf", "pass", null, List.of(
            new Property("smtp.mailfrom", "bounce+tag=x@mail.example.com"),
            new Property("header.i", "@example.com"),
            new Property("header.d", "_sub.example.com")))
        .build().value();

    assertThat(value).endsWith(
        "smtp.mailfrom=bounce+tag=x@mail.example.com header.i=@example.com header.d=_sub.example.com");
  }

  @Test
  void commentCannotCloseItselfOrNest() {
    String value = AuthenticationResultsHeader.builder(ID)
        .method("spf", "softfail", "evil) dkim=pass (x \\", List.of())
        .build().value();

    assertThat(value).isEqualTo(" mx.example.org;\r\n\tspf=softfail (evil\\) dkim=pass \\(x \\\\)");
  }

  @Test
  void lineBreaksFromTheMessage_cannotStartANewHeaderField() {
    String value = AuthenticationResultsHeader.builder(ID)
        .dkim(List.of(new DkimResult(DkimCause.MALFORMED_TAG, "bad\r\nX-Injected: yes", "evil.example\r\nX-Spam: no",
            "s\nX-Other: 1", "rsa-sha256", SIG_B, "")))
        .method("dmarc", "fail", "x\r\n\r\nbody", List.of(new Property("header.from", "a.example\rBcc: victim")))
        .build().value();

    String withoutOurFolds = value.replace("\r\n\t", "");
    assertThat(withoutOurFolds).doesNotContain("\r").doesNotContain("\n");
    assertThat(value).contains("(signature has a malformed tag: bad X-Injected: yes)")
        .contains("header.d=\"evil.example X-Spam: no\"")
        .contains("header.s=\"s X-Other: 1\"")
        .contains("(x body)")
        .contains("header.from=\"a.example Bcc: victim\"");
  }

  @Test
  void everyLineFoldsWithCrlfTab() {
    String value = AuthenticationResultsHeader.builder(ID)
        .dkim(List.of(dkim(DkimCause.VERIFIED, "", "example.com", "s", SIG_A)))
        .method("spf", "none", null, List.of())
        .build().value();

    String[] lines = value.split("\r\n", -1);
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).startsWith("\t");
    assertThat(lines[2]).startsWith("\t");
  }

  @Test
  void hugeComment_isCutAndNoLinePassesTheLimit() {
    List<Property> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(new Property("header.x" + i, "v".repeat(400)));
    }
    String value = AuthenticationResultsHeader.builder(ID)
        .method("dmarc", "fail", "c".repeat(5000), many)
        .build().value();

    for (String line : value.split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(998);
    }
    assertThat(value).contains("c".repeat(253) + "...)");
  }

  @Test
  void quotedAuthservId_whenItIsNotAToken() {
    HeaderField field = AuthenticationResultsHeader.builder("host (internal)").build();

    assertThat(field.value()).isEqualTo(" \"host (internal)\"; none");
    assertThat(AuthenticationResultsHeader.authservIdOf(field.value())).contains("host (internal)");
  }

  @Test
  void invalidMethodOrPropertyName_isAProgrammingError() {
    assertThatThrownBy(() -> AuthenticationResultsHeader.builder(ID).method("dk im", "pass", null, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dk im");
    assertThatThrownBy(() -> AuthenticationResultsHeader.builder(ID).method("spf", "pass;x", null, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pass;x");
    assertThatThrownBy(() -> new Property("mailfrom", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailfrom");
    assertThatThrownBy(() -> AuthenticationResultsHeader.builder(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whatWeWrite_parsesBackToOurAuthservId() {
    for (String id : List.of(ID, "MX.Example.ORG", "mail-1.example.net", "host (internal)", "a\"b", "x;y")) {
      String value = AuthenticationResultsHeader.builder(id)
          .dkim(List.of(dkim(DkimCause.VERIFIED, "", "example.com", "s", SIG_A)))
          .build().value();

      assertThat(AuthenticationResultsHeader.authservIdOf(value)).as(id).contains(id);
      assertThat(AuthenticationResultsHeader.claims(value, id)).as(id).isTrue();
    }
  }

  @Test
  void forgedVariants_areRecognisedAsClaimingOurId() {
    List<String> forged = List.of(
        "mx.example.org; dkim=pass header.d=paypal.com",
        " MX.EXAMPLE.ORG; spf=pass",
        "mx.example.org.; dmarc=pass",
        "(comment) mx.example.org; dkim=pass",
        " (nested (comment) \\) here)\r\n\tmx.example.org;\r\n\tdkim=pass",
        "mx.example.org 1; dkim=pass",
        "mx.example.org none",
        "mx.example.org; none",
        "mx.example.org",
        "\"mx.example.org\"; dkim=pass",
        "\" mx.example.org \"; dkim=pass",
        "\"mx.exa\\mple.org\"; dkim=pass",
        "\n mx.example.org(comment);dkim=pass",
        "mx.example.org;dkim=pass");
    for (String value : forged) {
      assertThat(AuthenticationResultsHeader.claims(value, ID)).as(value).isTrue();
    }
  }

  @Test
  void otherAuthservIds_areNotClaimed() {
    List<String> others = List.of(
        "mx.example.org.evil.com; dkim=pass",
        "evil-mx.example.org; dkim=pass",
        "example.org; dkim=pass",
        "mx.example.or; dkim=pass",
        "(mx.example.org) other.example; dkim=pass",
        "\"mx.example.org x\"; dkim=pass",
        "dkim=pass header.d=mx.example.org",
        "",
        "   ",
        "(only a comment)",
        "; dkim=pass");
    for (String value : others) {
      assertThat(AuthenticationResultsHeader.claims(value, ID)).as(value).isFalse();
    }
  }

  @Test
  void authservIdOf_readsIdsWrittenByOthers() {
    assertThat(AuthenticationResultsHeader.authservIdOf(" mx.google.com;\r\n       dkim=pass header.i=@example.com"))
        .contains("mx.google.com");
    assertThat(AuthenticationResultsHeader.authservIdOf("example.com 1; none")).contains("example.com");
    assertThat(AuthenticationResultsHeader.authservIdOf("  ")).isEqualTo(Optional.empty());
    assertThat(AuthenticationResultsHeader.authservIdOf("; dkim=pass")).isEqualTo(Optional.empty());
  }

  @Test
  void authservIdOf_readsTheArcTestSuitesHeaders() throws Exception {
    // Authentication-Results fields written by others (ValiMail ARC suite in test resources, see its SOURCE.txt)
    List<String> values = new ArrayList<>();
    for (String line : TestData.lines("arc-test-suite-valimail/arc-draft-validation-tests.yml")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("Authentication-Results:")) {
        values.add(trimmed.substring("Authentication-Results:".length()));
      }
    }

    assertThat(values).hasSizeGreaterThan(100);
    for (String value : values) {
      assertThat(AuthenticationResultsHeader.authservIdOf(value)).as(value)
          .hasValueSatisfying(id -> assertThat(id).isIn("lists.example.org", "nobody.example.org"));
      assertThat(AuthenticationResultsHeader.claims(value, "LISTS.example.org"))
          .isEqualTo(value.contains("lists.example.org"));
    }
  }

  private static DmarcRecord dmarcRecord(String text) {
    return DmarcRecords.parse(text);
  }

  private static DmarcDisposition disposition(DmarcAction action) {
    Optional<SmtpReply> reply = action == DmarcAction.REJECT ? Optional.of(new SmtpReply(550, "5.7.1", "rejected"))
        : action == DmarcAction.TEMPFAIL ? Optional.of(new SmtpReply(451, "4.7.0", "deferred")) : Optional.empty();
    return new DmarcDisposition(action, Optional.empty(), Optional.empty(), reply, "");
  }

  private static String resinfo(HeaderField field) {
    return field.value().substring(field.value().indexOf("\r\n\t") + 3);
  }

  @Test
  void spfPass_namesTheMailFromDomain() {
    SpfResult spf = new SpfResult(SpfOutcome.PASS, SpfCause.MATCHED_IP4, SpfIdentity.MAILFROM, "alice@example.com",
        "example.com", "\"ip4:192.0.2.0/24\" in the SPF record of example.com for 192.0.2.1", Optional.empty());

    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).spf(spf).build()))
        .isEqualTo("spf=pass smtp.mailfrom=example.com");
  }

  @Test
  void spfForTheNullSender_namesTheHeloName_andNonPassCarriesTheReason() {
    SpfResult spf = new SpfResult(SpfOutcome.SOFTFAIL, SpfCause.MATCHED_ALL, SpfIdentity.HELO,
        "postmaster@mail.example.org", "mail.example.org", "\"~all\" in the SPF record of mail.example.org for 192.0.2.9",
        Optional.empty());

    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).spf(spf).build())).isEqualTo(
        "spf=softfail (matched all: \"~all\" in the SPF record of mail.example.org for 192.0.2.9)"
            + " smtp.helo=mail.example.org");
  }

  @Test
  void dmarcWithARecordAtTheFromDomain_showsThePublishedPoliciesAndWhatWasDone() {
    DmarcResult fail = new DmarcResult(DmarcCause.NOT_ALIGNED, "nothing aligned",
        "example.com", Optional.of(dmarcRecord("v=DMARC1; p=reject; sp=none")), "example.com", "example.com",
        Optional.of(DmarcPolicy.REJECT), List.of());
    DmarcResult pass = new DmarcResult(DmarcCause.DKIM_ALIGNED, "DKIM d=example.com is aligned",
        "example.com", Optional.of(dmarcRecord("v=DMARC1; p=reject")), "example.com",
        "example.com", Optional.of(DmarcPolicy.REJECT), List.of());

    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).dmarc(fail, disposition(DmarcAction.REJECT)).build()))
        .isEqualTo("dmarc=fail (p=reject sp=none dis=reject) header.from=example.com policy.dmarc=reject");
    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).dmarc(pass, disposition(DmarcAction.ACCEPT)).build()))
        .isEqualTo("dmarc=pass (p=reject sp=reject dis=none) header.from=example.com policy.dmarc=reject");
  }

  @Test
  void dmarcRecordFoundOnAParent_addsPolicyDmarcDomain() {
    DmarcResult fail = new DmarcResult(DmarcCause.NOT_ALIGNED, "nothing aligned",
        "www.example.com", Optional.of(dmarcRecord("v=DMARC1; p=reject; sp=quarantine")), "example.com",
        "example.com", Optional.of(DmarcPolicy.QUARANTINE), List.of());

    assertThat(resinfo(AuthenticationResultsHeader.builder(ID)
        .dmarc(fail, disposition(DmarcAction.QUARANTINE_HEADER)).build()))
        .isEqualTo("dmarc=fail (p=reject sp=quarantine dis=quarantine) header.from=www.example.com"
            + " policy.dmarc=quarantine policy.dmarc.domain=example.com");
  }

  @Test
  void dmarcWithoutRecordOrFrom_carriesTheReason() {
    DmarcResult none = new DmarcResult(DmarcCause.NO_POLICY, "no DMARC record for example.net",
        "example.net", Optional.empty(), "", "example.net", Optional.empty(),
        List.of());
    DmarcResult several = new DmarcResult(DmarcCause.SEVERAL_FROM, "the message has 2 From addresses",
        "", Optional.empty(), "", "", Optional.empty(), List.of());

    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).dmarc(none, disposition(DmarcAction.ACCEPT)).build()))
        .isEqualTo("dmarc=none (no DMARC record for example.net) header.from=example.net");
    assertThat(resinfo(AuthenticationResultsHeader.builder(ID).dmarc(several, disposition(DmarcAction.REJECT))
        .build())).isEqualTo("dmarc=permerror (the message has 2 From addresses)");
  }
}
