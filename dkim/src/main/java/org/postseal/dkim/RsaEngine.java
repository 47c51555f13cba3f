package org.postseal.dkim;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where RSA runs. The Amazon Corretto Crypto Provider (AWS-LC through JNI) signs RSA-2048 about 5x and
 * verifies about 2x as fast as the JDK 17 provider on our machines, and RSA signing is most of the cost
 * of an outbound message (the JFR profile in README.md, "Performance"). It ships a native library for
 * linux-x86_64 only and unpacks it into {@code java.io.tmpdir} when first used, so it may not load (another
 * platform, a {@code noexec} temporary directory, a failed self-test): then the JDK's provider does the
 * same work, slower, and {@link #description()} says why.
 *
 * <p>{@code -Dpostseal.crypto=jdk} (in {@code POSTSEAL_JAVA_OPTS}) forces the JDK provider. Keys are
 * translated into the provider's own form once ({@link #signingKey}, {@link #verificationKey}): handing it
 * JDK key objects would make it re-encode the key for every signature, which costs most of the gain.
 *
 * <p>Stateless after class initialisation and thread-safe.
 */
public final class RsaEngine {

  /** System property that chooses the provider: {@code auto} (default) or {@code jdk}. */
  public static final String PROPERTY = "postseal.crypto";

  private static final Logger LOG = LoggerFactory.getLogger(RsaEngine.class);
  private static final Choice CHOICE = choose(System.getProperty(PROPERTY, "auto"));

  private RsaEngine() {
  }

  /** A provider ({@code null}: the JDK's default) and the sentence that explains it. */
  record Choice(Provider provider, String description) {
  }

  static Choice choose(String setting) {
    String wanted = setting.trim().toLowerCase(Locale.ROOT);
    if (wanted.equals("jdk")) {
      return new Choice(null, "JDK provider (" + PROPERTY + "=jdk)");
    }
    if (!wanted.equals("auto")) {
      LOG.warn("-D{}={} is not auto or jdk; using auto", PROPERTY, setting);
    }
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable loadingError = accp.getLoadingError();
      if (loadingError != null) {
        return jdkBecause(loadingError);
      }
      accp.assertHealthy();
      KeyFactory.getInstance("RSA", accp);
      Signature.getInstance("SHA256withRSA", accp);
      return new Choice(accp, "Amazon Corretto Crypto Provider " + accp.getVersionStr() + " (" + accp.getAwsLcVersionStr()
          + ")");
    } catch (LinkageError | RuntimeException | GeneralSecurityException e) {
      return jdkBecause(e);
    }
  }

  private static Choice jdkBecause(Throwable why) {
    String reason = why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage();
    return new Choice(null, "JDK provider: the Amazon Corretto Crypto Provider did not load (" + reason
        + "); RSA signing is about 5x slower");
  }

  /** Which provider RSA uses and, when it is the JDK's, why; for the startup log and {@code doctor}. */
  public static String description() {
    return CHOICE.description();
  }

  /** True when the native provider is in use. */
  public static boolean accelerated() {
    return CHOICE.provider() != null;
  }

  /**
   * A new signature engine. Not one kept per thread: the Amazon Corretto Crypto Provider destroys a key
   * when an engine is initialised again with the key it already holds ("Key has been destroyed" on every
   * second message), so each use gets a fresh engine.
   */
  static Signature signature(String jcaAlgorithm) throws NoSuchAlgorithmException {
    Provider provider = CHOICE.provider();
    return provider == null ? Signature.getInstance(jcaAlgorithm) : Signature.getInstance(jcaAlgorithm, provider);
  }

  /**
   * The provider's form of an RSA private key, to be kept and reused. A key the provider refuses (it
   * should not happen for a key the JDK parsed) is used as it is, which still works, only slower.
   */
  static PrivateKey signingKey(PrivateKey key) {
    PrivateKey translated = (PrivateKey) translate(key);
    return translated == null ? key : translated;
  }

  /** The provider's form of an RSA public key; the key itself when there is none. */
  static RSAPublicKey verificationKey(RSAPublicKey key) {
    Key translated = translate(key);
    return translated instanceof RSAPublicKey rsa ? rsa : key;
  }

  private static Key translate(Key key) {
    Provider provider = CHOICE.provider();
    if (provider == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance("RSA", provider).translateKey(key);
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.debug("RSA key stays in the JDK's form: {}", e.toString());
      return null;
    }
  }
}
