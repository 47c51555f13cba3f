package org.postseal.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TagListTest {

  @Test
  void valuesAreTrimmedAndInnerFoldingKept() {
    TagList tags = TagList.parse(" v=1; a = rsa-sha256 ;\r\n\th=from :\r\n to; b=ab\r\n cd");
    assertThat(tags.isValid()).isTrue();
    assertThat(tags.value("a")).isEqualTo("rsa-sha256");
    assertThat(tags.value("h")).isEqualTo("from :\r\n to");
    assertThat(tags.value("b")).isEqualTo("ab\r\n cd");
    assertThat(tags.asMap().keySet()).containsExactly("v", "a", "h", "b");
  }

  @Test
  void trailingSemicolonAndEmptyValueAreAllowed() {
    TagList tags = TagList.parse("v=DKIM1; p=;");
    assertThat(tags.isValid()).isTrue();
    assertThat(tags.value("p")).isEmpty();
  }

  @Test
  void duplicateTagIsAnError() {
    assertThat(TagList.parse("a=1; a=2").error()).get().asString().contains("duplicate")
        .startsWith("the tag a= appears twice");
  }

  @Test
  void textThatIsNotATagListIsAnError() {
    assertThat(TagList.parse("hello world").isValid()).isFalse();
    assertThat(TagList.parse("1a=b").isValid()).isFalse();
  }

  @Test
  void valueMayContainWhiteSpace() {
    // RFC 6376 tag-value allows inner WSP: an SPF record is a valid tag-list (the key parser rejects its v=)
    assertThat(TagList.parse("v=spf1 -all").value("v")).isEqualTo("spf1 -all");
  }

  @Test
  void tagsAreCaseSensitive() {
    TagList tags = TagList.parse("V=1");
    assertThat(tags.has("v")).isFalse();
    assertThat(tags.has("V")).isTrue();
  }

  @Test
  void quotedPrintableIdentity() {
    assertThat(TagList.decodeQuotedPrintable("joe=40x@example.com")).contains("joe@x@example.com");
    assertThat(TagList.decodeQuotedPrintable("bad=4")).isEmpty();
  }
}
