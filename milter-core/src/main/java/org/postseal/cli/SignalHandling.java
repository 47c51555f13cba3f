package org.postseal.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSIX signals through {@code sun.misc.Signal} (module jdk.unsupported), reached by reflection so the
 * build needs no internal API and a JVM without it still runs: handling SIGTERM ourselves is what lets
 * {@code serve} drain and exit 0 instead of the JVM's 143.
 */
final class SignalHandling {

  private static final Logger LOG = LoggerFactory.getLogger(SignalHandling.class);

  private SignalHandling() {
  }

  /** Runs {@code action} on a JVM signal thread when the signal arrives; false when the signal cannot be handled here. */
  static boolean onSignal(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler invocation = (Object proxy, Method method, Object[] args) -> {
        if (method.getName().equals("handle")) {
          try {
            action.run();
          } catch (RuntimeException e) {
            LOG.error("handling SIG{} failed", name, e);
          }
          return null;
        }
        if (method.getName().equals("toString")) {
          return "postseal SIG" + name + " handler";
        }
        if (method.getName().equals("hashCode")) {
          return System.identityHashCode(proxy);
        }
        if (method.getName().equals("equals")) {
          return proxy == args[0];
        }
        return null;
      };
      Object handler = Proxy.newProxyInstance(SignalHandling.class.getClassLoader(), new Class<?>[] {handlerClass}, invocation);
      Object previous = signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      // HotSpot does not take over HUP, INT or TERM when the process started with it ignored (nohup, a parent's
      // SIG_IGN, inherited through exec): handle() then installs nothing and answers SIG_IGN
      if (previous == handlerClass.getField("SIG_IGN").get(null)) {
        if (!name.equals("HUP")) {
          // an ignored INT or TERM is the parent's wish (a shell's background job ignores SIGINT): nothing to say
          LOG.debug("SIG{} was ignored when this process started; it stays ignored", name);
          return true;
        }
        LOG.warn("SIGHUP was ignored when this process started (under nohup, or a parent that ignores it), and a JVM"
            + " cannot take it over then: reloading with SIGHUP (kill -HUP, systemctl reload) does nothing; start"
            + " postseal without nohup (systemd never ignores it)");
        return false;
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("cannot handle SIG{}: {}", name, e.toString());
      return false;
    }
  }
}
