package org.postseal.dkim;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.mail.HeaderField;

/**
 * The header data a DKIM signature covers (RFC 6376 section 3.7): the fields named in h=, canonicalized,
 * each followed by CRLF, then the DKIM-Signature field itself with its b= value empty and no CRLF. Used
 * by the signer and the verifier alike, so both select fields the same way.
 */
final class SignedHeaderBlock {

  private static final byte[] CRLF = {'\r', '\n'};

  private SignedHeaderBlock() {
  }

  /**
   * @param headers        the message's fields, top first
   * @param signedNames    h=, in order; names are matched case-insensitively
   * @param excludedIndex  the index in {@code headers} of the signature being verified, never selected
   *                       (the signer did not see it); -1 when signing
   * @param signatureField the DKIM-Signature field with the b= value already removed
   */
  static byte[] build(List<HeaderField> headers, List<String> signedNames, int excludedIndex,
                      Canonicalization canonicalization, HeaderField signatureField) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    for (HeaderField field : select(headers, signedNames, excludedIndex)) {
      out.writeBytes(canonicalization.canonicalizeHeader(field));
      out.writeBytes(CRLF);
    }
    out.writeBytes(canonicalization.canonicalizeHeader(signatureField));
    return out.toByteArray();
  }

  /**
   * "If there are multiple instances of a field, they are selected from the bottom up" and a name
   * listed more often than the field occurs selects nothing for the extra entries (RFC 6376 section
   * 5.4.2): that is what makes over-signing work.
   */
  static List<HeaderField> select(List<HeaderField> headers, List<String> signedNames, int excludedIndex) {
    Map<String, List<HeaderField>> byName = new HashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      if (i != excludedIndex) {
        HeaderField field = headers.get(i);
        byName.computeIfAbsent(field.lowerCaseName().strip(), k -> new ArrayList<>()).add(field);
      }
    }
    Map<String, Integer> used = new HashMap<>();
    List<HeaderField> selected = new ArrayList<>(signedNames.size());
    for (String name : signedNames) {
      String key = name.toLowerCase(Locale.ROOT);
      List<HeaderField> instances = byName.get(key);
      int taken = used.getOrDefault(key, 0);
      if (instances != null && taken < instances.size()) {
        selected.add(instances.get(instances.size() - 1 - taken));
      }
      used.put(key, taken + 1);
    }
    return selected;
  }
}
