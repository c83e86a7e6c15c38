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
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JobKind {
  /** The stable kind name. */
  String value();
}
