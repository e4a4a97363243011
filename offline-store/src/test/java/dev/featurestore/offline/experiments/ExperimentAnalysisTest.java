package dev.featurestore.offline.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.offline.predictions.Assignment;
import dev.featurestore.offline.predictions.Assignments;
import dev.featurestore.offline.predictions.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ExperimentAnalysisTest {
  private static final long ASSIGNED = 1_000;
  private static final AnalysisOptions FIFTY_FIFTY =
      AnalysisOptions.defaults().withWeights(weights("a", 50, "b", 50));

  /** A generated experiment: units u0.. per variant, each assigned at ASSIGNED with one outcome after it. */
  private static final class Experiment {
    final List<Assignment> units = new ArrayList<>();
    final List<Outcome> outcomes = new ArrayList<>();

    Experiment variant(String variant, double... values) {
      for (double value : values) {
        String unit = "u" + units.size();
        units.add(new Assignment(unit, variant, ASSIGNED));
        outcomes.add(new Outcome(unit, ASSIGNED + 10, value));
      }
      return this;
    }

    Experiment normal(String variant, int count, double mean, double sd, Random random) {
      double[] values = new double[count];
      for (int i = 0; i < count; i++) {
        values[i] = mean + sd * random.nextGaussian();
      }
      return variant(variant, values);
    }

    Experiment unitsOnly(String variant, int count) {
      for (int i = 0; i < count; i++) {
        units.add(new Assignment("u" + units.size(), variant, ASSIGNED));
      }
      return this;
    }

    ExperimentReport analyze(AnalysisOptions options) {
      return ExperimentAnalysis.analyze("exp", new Assignments(units, 0, 0), outcomes, options);
    }
  }

  private static Map<String, Double> weights(Object... nameThenWeight) {
    Map<String, Double> weights = new LinkedHashMap<>();
    for (int i = 0; i < nameThenWeight.length; i += 2) {
      weights.put((String) nameThenWeight[i], ((Number) nameThenWeight[i + 1]).doubleValue());
    }
    return weights;
  }

  private static ExperimentReport.VariantResult variant(ExperimentReport report, String name) {
    return report.variants().stream().filter(v -> v.variant().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void analyze_smallFixedData_welchNumbersEqualAnIndependentComputation() {
    // control a: mean 3.48333, sd 0.94956; b: mean 4.94, sd 0.96073. By hand: se^2 = 0.90167/6 + 0.923/5
    // = 0.33488, t = 1.45667 / 0.57869 = 2.5172, Welch df = 8.6026; p and t quantile from scipy 1.17
    // (stats.ttest_ind(b, a, equal_var=False), stats.t.ppf(0.975, df)).
    ExperimentReport report = new Experiment()
        .variant("a", 3.1, 2.4, 5.0, 4.2, 3.3, 2.9)
        .variant("b", 4.0, 5.5, 3.9, 6.1, 5.2)
        .analyze(FIFTY_FIFTY);

    assertThat(report.control()).isEqualTo("a");
    ExperimentReport.VariantResult a = variant(report, "a");
    assertThat(a.mean()).isCloseTo(3.483333333333333, within(1e-12));
    assertThat(a.standardDeviation()).isCloseTo(0.9495613022162744, within(1e-12));
    assertThat(a.vsControl()).isNull();
    ExperimentReport.VariantResult b = variant(report, "b");
    assertThat(b.units()).isEqualTo(5);
    assertThat(b.standardDeviation()).isCloseTo(0.9607288899580358, within(1e-12));
    ExperimentReport.Comparison comparison = b.vsControl();
    assertThat(comparison.difference()).isCloseTo(1.4566666666666666, within(1e-12));
    assertThat(comparison.degreesOfFreedom()).isCloseTo(8.602590217265288, within(1e-9));
    assertThat(comparison.pValue()).isCloseTo(0.03403753907491482, within(1e-9));
    assertThat(comparison.low()).isCloseTo(0.13831063539453492, within(1e-8));
    assertThat(comparison.high()).isCloseTo(2.775022697938798, within(1e-8));
    assertThat(comparison.significant()).isTrue();
  }

  @Test
  void analyze_generatedExperimentWithKnownEffect_findsIt() {
    Random random = new Random(42);
    ExperimentReport report = new Experiment()
        .normal("control", 2_000, 10.0, 2.0, random)
        .normal("treatment", 2_000, 10.5, 2.0, random)
        .analyze(AnalysisOptions.defaults().withControl("control"));

    ExperimentReport.Comparison effect = variant(report, "treatment").vsControl();
    assertThat(effect.significant()).isTrue();
    assertThat(effect.low()).isPositive().isLessThan(0.5);
    assertThat(effect.high()).isGreaterThan(0.5);
    assertThat(effect.pValue()).isLessThan(1e-6);
    assertThat(report.sampleRatio()).isNull();
  }

  @Test
  void analyze_aaSplits_findAnEffectAtAboutTheStatedRate() {
    // 200 A/A experiments of 2 x 200 units: at 95% confidence about 10 find an effect (binomial sd 3.1)
    Random random = new Random(7);
    int falsePositives = 0;
    for (int run = 0; run < 200; run++) {
      ExperimentReport report = new Experiment()
          .normal("a", 200, 5.0, 3.0, random)
          .normal("b", 200, 5.0, 3.0, random)
          .analyze(FIFTY_FIFTY);
      ExperimentReport.Comparison comparison = variant(report, "b").vsControl();
      assertThat(comparison.significant()).isEqualTo(comparison.pValue() < 0.05);
      if (comparison.significant()) {
        falsePositives++;
      }
      assertThat(report.sampleRatio().mismatch()).isFalse();
    }
    assertThat(falsePositives).isBetween(2, 20);
  }

  @Test
  void analyze_fiftyFiftyObservedAs52To48Over100kUnits_flagsSampleRatioMismatch() {
    ExperimentReport report = new Experiment().unitsOnly("a", 52_000).unitsOnly("b", 48_000).analyze(FIFTY_FIFTY);

    ExperimentReport.SampleRatioCheck check = report.sampleRatio();
    // scipy.stats.chisquare([52000, 48000], [50000, 50000]) = (160.0, 1.1314837902433038e-36)
    assertThat(check.chiSquare()).isCloseTo(160.0, within(1e-9));
    assertThat(check.degreesOfFreedom()).isEqualTo(1);
    assertThat(check.pValue()).isCloseTo(1.1314837902433038e-36, Percentage.withPercentage(1e-6));
    assertThat(check.mismatch()).isTrue();
    assertThat(check.observedUnits()).containsExactly(Map.entry("a", 52_000L), Map.entry("b", 48_000L));
  }

  @Test
  void analyze_fiftyFiftyObservedAs50_3To49_7_passesSampleRatioCheck() {
    ExperimentReport report = new Experiment().unitsOnly("a", 50_300).unitsOnly("b", 49_700).analyze(FIFTY_FIFTY);

    // scipy.stats.chisquare([50300, 49700], [50000, 50000]) = (3.6, 0.05777957112359715)
    assertThat(report.sampleRatio().pValue()).isCloseTo(0.05777957112359715, within(1e-12));
    assertThat(report.sampleRatio().mismatch()).isFalse();
  }

  @Test
  void analyze_variantWithoutWeight_flagsSampleRatioMismatch() {
    ExperimentReport report = new Experiment().unitsOnly("a", 100).unitsOnly("b", 100).unitsOnly("c", 1)
        .analyze(FIFTY_FIFTY);

    assertThat(report.sampleRatio().mismatch()).isTrue();
    assertThat(report.sampleRatio().pValue()).isZero();
    assertThat(report.variants()).extracting(ExperimentReport.VariantResult::variant).containsExactly("a", "b", "c");
  }

  @Test
  void analyze_outcomesBeforeAssignment_areIgnoredAndEachUnitCountsOnceByItsMean() {
    List<Assignment> units = List.of(new Assignment("1", "a", 100), new Assignment("2", "a", 100),
        new Assignment("3", "b", 100), new Assignment("4", "b", 300));
    List<Outcome> outcomes = List.of(
        new Outcome("1", 50, 100.0),  // before the assignment: ignored
        new Outcome("1", 100, 1.0),   // at the assignment: counts
        new Outcome("1", 200, 3.0),
        new Outcome("2", 150, 4.0),
        new Outcome("3", 150, 6.0),
        new Outcome("4", 200, 50.0),  // before unit 4's assignment
        new Outcome("4", 400, 8.0),
        new Outcome("9", 400, 1.0));  // never assigned

    ExperimentReport report =
        ExperimentAnalysis.analyze("exp", new Assignments(units, 0, 0), outcomes, AnalysisOptions.defaults());

    assertThat(variant(report, "a").mean()).isCloseTo((2.0 + 4.0) / 2, within(1e-12));
    assertThat(variant(report, "b").mean()).isCloseTo((6.0 + 8.0) / 2, within(1e-12));
    assertThat(variant(report, "b").vsControl().difference()).isCloseTo(4.0, within(1e-12));
    assertThat(report.outcomesCounted()).isEqualTo(5);
    assertThat(report.outcomesBeforeAssignment()).isEqualTo(2);
    assertThat(report.outcomesOfUnassignedUnits()).isEqualTo(1);
  }

  @Test
  void analyze_sumPerUnit_countsUnitsWithoutOutcomesAsZero() {
    List<Assignment> units = List.of(new Assignment("1", "a", 0), new Assignment("2", "a", 0),
        new Assignment("3", "b", 0), new Assignment("4", "b", 0));
    List<Outcome> outcomes = List.of(new Outcome("1", 1, 2.0), new Outcome("1", 2, 3.0), new Outcome("3", 1, 1.0));

    ExperimentReport mean = ExperimentAnalysis.analyze(
        "exp", new Assignments(units, 0, 0), outcomes, AnalysisOptions.defaults());
    ExperimentReport sum = ExperimentAnalysis.analyze("exp", new Assignments(units, 0, 0), outcomes,
        AnalysisOptions.defaults().withPerUnit(AnalysisOptions.PerUnit.SUM));

    assertThat(variant(mean, "a").unitsWithValue()).isEqualTo(1);
    assertThat(variant(mean, "a").mean()).isEqualTo(2.5);
    assertThat(variant(sum, "a").unitsWithValue()).isEqualTo(2);
    assertThat(variant(sum, "a").mean()).isEqualTo(2.5);
    assertThat(variant(sum, "b").mean()).isEqualTo(0.5);
    assertThat(variant(sum, "a").units()).isEqualTo(2);
  }

  @Test
  void analyze_controlNotAVariant_isRefusedNamingIt() {
    Experiment experiment = new Experiment().variant("a", 1, 2).variant("b", 1, 2);

    assertThatThrownBy(() -> experiment.analyze(AnalysisOptions.defaults().withControl("z")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot analyze experiment 'exp': control variant 'z' is not one of its variants [a, b]");
  }

  @Test
  void analyze_noUnits_isRefused() {
    assertThatThrownBy(() -> new Experiment().analyze(AnalysisOptions.defaults()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot analyze experiment 'exp': no unit is assigned to any variant");
  }

  @Test
  void analyze_withWeights_controlIsTheFirstWeightedVariant() {
    ExperimentReport report = new Experiment().variant("a", 1, 2, 3).variant("b", 1, 2, 3)
        .analyze(AnalysisOptions.defaults().withWeights(weights("b", 1, "a", 1)));

    assertThat(report.control()).isEqualTo("b");
    assertThat(variant(report, "a").vsControl().pValue()).isEqualTo(1.0);
  }

  @Test
  void options_negativeWeight_isRefusedNamingIt() {
    assertThatThrownBy(() -> AnalysisOptions.defaults().withWeights(weights("a", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use weight -1.0 of variant 'a': weights are finite and not negative");
  }
}
