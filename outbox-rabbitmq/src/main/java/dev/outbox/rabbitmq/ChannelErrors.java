package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;

/** What a closed channel or a failed connect means for the jobs not yet confirmed. */
enum ChannelErrors {
  /** The user may not publish there, or the exchange is missing: pause, use no attempt. */
  MISCONFIGURED,
  /** It may work later (connection lost, broker restarting, a timeout). */
  TRANSIENT;

  static ChannelErrors classify(Throwable cause) {
    if (cause instanceof AuthenticationFailureException) {
      return MISCONFIGURED;
    }
    if (cause instanceof ShutdownSignalException shutdown) {
      int code = replyCode(shutdown.getReason());
      if (code == AMQP.ACCESS_REFUSED || code == AMQP.NOT_FOUND) {
        return MISCONFIGURED;
      }
    }
    if (cause != null && cause.getCause() instanceof ShutdownSignalException inner) {
      return classify(inner);
    }
    return TRANSIENT;
  }

  private static int replyCode(Method reason) {
    if (reason instanceof AMQP.Channel.Close close) {
      return close.getReplyCode();
    }
    if (reason instanceof AMQP.Connection.Close close) {
      return close.getReplyCode();
    }
    return 0;
  }
}
