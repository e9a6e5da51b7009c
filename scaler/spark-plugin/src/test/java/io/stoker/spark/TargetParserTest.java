package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetParserTest {

  @Test
  void acceptsNonNegativeIntegersUpToTheMaximum() {
    assertThat(TargetParser.parse("3", 10).target()).hasValue(3);
    // minExecutors: 0 — Spark accepts a total of 0 executors
    assertThat(TargetParser.parse("0", 10).target()).hasValue(0);
    assertThat(TargetParser.parse(" 00 ", 10).target()).hasValue(0);
    assertThat(TargetParser.parse(" 10 ", 10).target()).hasValue(10);
    assertThat(TargetParser.parse("1", 1).isRejected()).isFalse();
  }

  @Test
  void rejectsAnythingElseWithAReason() {
    for (String bad :
        new String[] {"", " ", "-0", "-1", "+2", "2.5", "abc", "1e3", "99999999999"}) {
      TargetParser.Result r = TargetParser.parse(bad, 1000);
      assertThat(r.isRejected()).as(bad).isTrue();
      assertThat(r.target()).as(bad).isEmpty();
    }
    assertThat(TargetParser.parse("11", 10).rejection())
        .contains("above the configured maximum 10");
  }

  @Test
  void anAbsentAnnotationIsNeitherAcceptedNorRejected() {
    TargetParser.Result r = TargetParser.parse(null, 10);
    assertThat(r.isRejected()).isFalse();
    assertThat(r.target()).isEmpty();
  }
}
