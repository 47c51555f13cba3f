package org.postseal.dkim.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import org.apache.james.jdkim.DKIMCommon;
import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;
import org.apache.james.jdkim.canon.SimpleBodyCanonicalizer;

/**
 * jDKIM 0.5's own canonicalization, reached the way jDKIM uses it (its header routine feeds a
 * {@link Signature}; its body canonicalizers are output streams), as the reference our implementation
 * is compared with.
 */
final class JdkimCanonicalization extends DKIMCommon {

  private JdkimCanonicalization() {
  }

  /** The bytes jDKIM feeds its signature engine for one header field (no CRLF). */
  static byte[] header(boolean relaxed, String name, String value) {
    CapturingSignature capture = new CapturingSignature();
    try {
      capture.initVerify(new NoKey());
      updateSignature(capture, relaxed, name, name + ":" + value);
    } catch (java.security.InvalidKeyException | SignatureException e) {
      throw new IllegalStateException(e);
    }
    return capture.bytes.toByteArray();
  }

  /** jDKIM's canonical body, the whole body written at once and the stream closed. */
  static byte[] body(boolean relaxed, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream canonicalizer = relaxed ? new RelaxedBodyCanonicalizer(out) : new SimpleBodyCanonicalizer(out)) {
      canonicalizer.write(body, 0, body.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Records what is fed to it; jDKIM's header routine only ever calls update. */
  private static final class CapturingSignature extends Signature {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    CapturingSignature() {
      super("capture");
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) {
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) {
    }

    @Override
    protected void engineUpdate(byte b) {
      bytes.write(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    protected byte[] engineSign() {
      return new byte[0];
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) {
      return false;
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }

  private static final class NoKey implements PublicKey {
    @Override
    public String getAlgorithm() {
      return "none";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }
}
