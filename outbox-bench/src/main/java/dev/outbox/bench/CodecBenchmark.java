package dev.outbox.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.outbox.job.JobCodec;
import io.vavr.control.Either;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the job codec: encoding a job for enqueue, parsing a stored row into the
 * sealed type (what the drainer does per job), an unknown kind, and plain Jackson on the same
 * payload as the floor. Run with {@code java -jar outbox-bench.jar jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final JobCodec<BenchJob> codec = JobCodec.of(BenchJob.class);
  private final ObjectMapper mapper = JobCodec.defaultMapper();
  private final ObjectReader orderReader = mapper.readerFor(BenchJob.OrderPlaced.class);
  private final BenchJob.Noop small = new BenchJob.Noop(12_345);
  private final BenchJob.OrderPlaced order =
      new BenchJob.OrderPlaced(
          987_654_321L, "customer-42@example.com", List.of("book", "lamp", "kettle"), 12_999);
  private final String smallPayload = codec.encode(small).payload();
  private final String orderPayload = codec.encode(order).payload();

  @Benchmark
  public JobCodec.Encoded encodeSmall() {
    return codec.encode(small);
  }

  @Benchmark
  public JobCodec.Encoded encodeOrder() {
    return codec.encode(order);
  }

  @Benchmark
  public Either<?, BenchJob> parseSmall() {
    return codec.parse("Noop", smallPayload);
  }

  @Benchmark
  public Either<?, BenchJob> parseOrder() {
    return codec.parse("OrderPlaced", orderPayload);
  }

  @Benchmark
  public Either<?, BenchJob> parseUnknownKind() {
    return codec.parse("Unknown", smallPayload);
  }

  @Benchmark
  public Object jacksonReadOrder() throws Exception {
    return orderReader.readValue(orderPayload);
  }

  @Benchmark
  public String jacksonWriteOrder() throws Exception {
    return mapper.writeValueAsString(order);
  }
}
