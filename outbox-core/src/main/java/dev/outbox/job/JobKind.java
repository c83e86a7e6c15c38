package dev.outbox.job;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a job type a stable kind name, stored in every row of that type.
 *
 * <p>Without it the kind is the class's simple name, so renaming the class would orphan rows
 * already stored. Annotate a leaf before renaming it and keep the old name here:
 *
 * <pre>{@code
 * @JobKind("SendWelcomeEmail")
 * record WelcomeEmail(long userId) implements ShopJob {}
 * }</pre>
 *
 * <p>A kind is 1 to 200 characters of letters, digits and {@code . _ - / :}.
 *
 * <p>With {@code prefix = true} the value is a prefix and the leaf receives every kind that starts
 * with it, for families of kinds named at run time such as database change events ({@code
 * db/users.created}, {@code db/orders.deleted}). Such a leaf must be a record with a {@code String}
 * component named {@code kind} that holds the full kind: enqueue stores that kind (it must start
 * with the prefix), and parsing sets it from the row's kind, whatever the payload says.
 *
 * <pre>{@code
 * @JobKind(value = "db/", prefix = true)
 * record EntityChanged(String kind, String table, String action, String id,
 *     Map<String, Object> state, List<String> changed) implements ShopJob {}
 * }</pre>
 *
 * <p>A row's kind is matched exactly first; only a kind no leaf names exactly goes to the leaf with
 * the longest matching prefix.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JobKind {
  /** The stable kind name, or the prefix of the kinds this leaf receives. */
  String value();

  /** Whether {@link #value()} is a prefix (see the class comment). Default false: an exact kind. */
  boolean prefix() default false;
}
