package dev.outbox.spring;

import org.springframework.test.context.TestPropertySource;

/** The Spring contract on embedded H2. */
@TestPropertySource(properties = "test.database=H2")
class H2SpringOutboxTest extends SpringOutboxContract {}
