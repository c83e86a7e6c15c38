package dev.outbox.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Threads that each repeat a step until closed, pausing a millisecond when the step found nothing
 * to do. Closing stops them and waits until each has finished its current step.
 */
final class Loops implements AutoCloseable {
  private final String name;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;
  private volatile Throwable failure;

  /** One step of a loop; returns false when there was nothing to do. */
  @FunctionalInterface
  interface Step {
    boolean run() throws Exception;
  }

  Loops(String name) {
    this.name = name;
  }

  void start(Step step) {
    Thread thread = new Thread(() -> loop(step), name + "-" + (threads.size() + 1));
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void loop(Step step) {
    while (!stopping) {
      try {
        if (!step.run()) {
          Thread.sleep(1);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception | Error e) {
        if (failure == null) {
          failure = e;
          System.err.println(name + ": " + e);
        }
        stopping = true;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
