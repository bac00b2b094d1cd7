using ModelLoop.Evaluation;
using static ModelLoop.Tests.Evaluation.SklearnFixtures;

namespace ModelLoop.Tests.Evaluation;

public sealed class FairnessMetricsTests
{
    [Theory]
    [InlineData("three_groups")]
    [InlineData("group_without_positives")]
    public void PerGroupRatesAndGapsMatchTheReference(string name)
    {
        var c = Fairness.Single(f => f.GetProperty("name").GetString() == name);
        var groups = c.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray();

        var report = FairnessMetrics.Compute(c.GetProperty("labels").Ints(), c.GetProperty("predicted").Ints(), groups, c.GetProperty("positive").GetInt32());

        var expected = c.GetProperty("expected").GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(e => e.GetProperty("group").GetString()), report.Groups.Select(g => g.Group));
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, g) = (expected[i], report.Groups[i]);
            Assert.Equal(e.GetProperty("count").GetInt64(), g.Count);
            Close(e.GetProperty("accuracy").Number(), g.Accuracy, $"{g.Group} accuracy");
            Close(e.GetProperty("recall").Number(), g.Recall, $"{g.Group} recall");
            Close(e.GetProperty("fpr").Number(), g.FalsePositiveRate, $"{g.Group} fpr");
            Close(e.GetProperty("selection_rate").Number(), g.SelectionRate, $"{g.Group} selection rate");
        }
        Close(c.Expected("demographic_parity_difference"), report.DemographicParityDifference, "demographic parity difference");
        Close(c.Expected("equalized_odds_difference"), report.EqualizedOddsDifference, "equalized odds difference");
    }

    [Fact]
    public void AGroupWithoutPositivesIsNamedInTheWarnings()
    {
        var report = FairnessMetrics.Compute([0, 1, 0, 0], [0, 1, 1, 0], ["x", "x", "y", "y"]);

        Assert.Contains(report.Warnings, w => w.Contains("'y' has no sample of class 1", StringComparison.Ordinal));
        Assert.True(double.IsNaN(report.Groups[1].Recall));
    }

    [Fact]
    public void AModelThatTreatsGroupsAlikeHasNoGaps()
    {
        int[] labels = [1, 0, 1, 0, 1, 0, 1, 0];
        string[] groups = ["a", "a", "a", "a", "b", "b", "b", "b"];

        var report = FairnessMetrics.Compute(labels, labels, groups);

        Assert.Equal(0, report.DemographicParityDifference);
        Assert.Equal(0, report.EqualizedOddsDifference);
        Assert.All(report.Groups, g => Assert.Equal(1.0, g.Accuracy));
    }
}
