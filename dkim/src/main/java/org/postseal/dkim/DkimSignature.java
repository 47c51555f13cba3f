package org.postseal.dkim;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.postseal.dkim.internal.Canonicalization;
import org.postseal.mail.HeaderField;

/**
 * One DKIM-Signature field whose tags passed {@link DkimSignatureParser}: every required tag present and
 * well-formed, i= inside d=, From signed. Values are as written ({@code domain} keeps its case for the
 * result); comparisons lower-case with {@link Locale#ROOT}.
 *
 * @param field         the field as it appears in the message (its b= value is removed for hashing)
 * @param algorithmTag  a= as written
 * @param signatureText b= without white space
 * @param identity      i= decoded, or empty when absent
 * @param bodyLength    l=, or -1 for the whole body
 */
record DkimSignature(HeaderField field, String algorithmTag, SignatureAlgorithm algorithm,
                     Canonicalization headerCanonicalization, Canonicalization bodyCanonicalization,
                     String domain, String selector, List<String> signedHeaders, byte[] bodyHash,
                     byte[] signatureBytes, String signatureText, String identity, long bodyLength,
                     OptionalLong timestamp, OptionalLong expiration) {

  /** Where the key lives: {@code selector._domainkey.domain}, lower-cased (DNS names ignore case). */
  String keyName() {
    return (selector + "._domainkey." + domain).toLowerCase(Locale.ROOT);
  }

  DkimResult result(DkimCause cause, String detail) {
    return new DkimResult(cause, detail, domain, selector, algorithmTag, signatureText, identity);
  }
}
