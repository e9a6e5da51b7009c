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

  @Test
  void preferredExecutorsAreACommaSeparatedListOfIds() {
    assertThat(TargetParser.parsePreferred("12,7,3").ids()).containsExactly("12", "7", "3");
    assertThat(TargetParser.parsePreferred(" 12 , 7,12 ").ids()).containsExactly("12", "7");
    assertThat(TargetParser.parsePreferred("").ids()).isEmpty();
    assertThat(TargetParser.parsePreferred(null).isRejected()).isFalse();
    assertThat(TargetParser.parsePreferred(null).ids()).isEmpty();
    String most =
        java.util.stream.IntStream.range(0, TargetParser.MAX_PREFERRED)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(","));
    assertThat(TargetParser.parsePreferred(most).ids()).hasSize(TargetParser.MAX_PREFERRED);
  }

  @Test
  void badOrOversizedPreferredExecutorsAreRejectedWithAReason() {
    for (String bad : new String[] {"a,b", "1,,2", "1;2", "-1", "1,", "12345678901", "1 2"}) {
      TargetParser.Preferred p = TargetParser.parsePreferred(bad);
      assertThat(p.isRejected()).as(bad).isTrue();
      assertThat(p.ids()).as(bad).isEmpty();
    }
    String tooMany =
        java.util.stream.IntStream.range(0, TargetParser.MAX_PREFERRED + 1)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(","));
    assertThat(TargetParser.parsePreferred(tooMany).rejection()).contains("more than 256");
    String tooLong = "1,".repeat(3000) + "1";
    assertThat(TargetParser.parsePreferred(tooLong).rejection())
        .contains("more than the 4096 allowed");
  }
}
