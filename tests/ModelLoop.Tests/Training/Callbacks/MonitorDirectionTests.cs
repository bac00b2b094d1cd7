using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class MonitorDirectionTests
{
    // r2 once came out lower-is-better from name guessing, so EarlyStopping on val_r2 stopped while R² still rose.
    [Theory]
    [InlineData("accuracy", MetricDirection.HigherIsBetter)]
    [InlineData("binary_accuracy", MetricDirection.HigherIsBetter)]
    [InlineData("top_5_accuracy", MetricDirection.HigherIsBetter)]
    [InlineData("f1_macro", MetricDirection.HigherIsBetter)]
    [InlineData("precision_micro", MetricDirection.HigherIsBetter)]
    [InlineData("recall_weighted", MetricDirection.HigherIsBetter)]
    [InlineData("roc_auc", MetricDirection.HigherIsBetter)]
    [InlineData("pr_auc", MetricDirection.HigherIsBetter)]
    [InlineData("r2", MetricDirection.HigherIsBetter)]
    [InlineData("r2_score", MetricDirection.HigherIsBetter)]
    [InlineData("mae", MetricDirection.LowerIsBetter)]
    [InlineData("mse", MetricDirection.LowerIsBetter)]
    [InlineData("rmse", MetricDirection.LowerIsBetter)]
    [InlineData("mape", MetricDirection.LowerIsBetter)]
    [InlineData("log_loss", MetricDirection.LowerIsBetter)]
    [InlineData("ece", MetricDirection.LowerIsBetter)]
    public void EveryTrainerMetricSaysWhichDirectionIsBetter(string name, MetricDirection expected)
    {
        Assert.Equal(expected, new MetricSpec(name).Create().Direction);
    }

    [Fact]
    public void AutoModeTakesTheDirectionFromTheMetricNotFromItsName()
    {
        // "accuracy" in the name made the substring guess pick higher-is-better; the metric says lower.
        MetricCatalog.Register("error_accuracy_gap", () => new GapMetric());
        using var train = Classification(64);
        using var model = Classifier();
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy", "error_accuracy_gap"]);
        var gap = new DirectionProbe("error_accuracy_gap");
        var validationGap = new DirectionProbe("val_error_accuracy_gap");
        var accuracy = new DirectionProbe("val_accuracy");
        var loss = new DirectionProbe("val_loss");

        model.Fit(train, Options(epochs: 1), train, [gap, validationGap, accuracy, loss]);

        Assert.False(gap.HigherWasBetter);
        Assert.False(validationGap.HigherWasBetter);
        Assert.True(accuracy.HigherWasBetter);
        Assert.False(loss.HigherWasBetter);
    }

    [Fact]
    public void AutoModeRefusesAKeyThatIsNotAMetricAndSaysToPassAMode()
    {
        using var train = Classification(64);
        using var model = Classifier();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(train, Options(epochs: 1), callbacks: [new EarlyStopping(monitor: "lr")]));

        Assert.Contains("'lr'", error.Message);
        Assert.Contains("MonitorMode.Min", error.Message);
    }

    [Fact]
    public void AnExplicitModeDecidesForAKeyThatIsNotAMetric()
    {
        using var train = Classification(64);
        using var model = Classifier();
        var probe = new DirectionProbe("lr", MonitorMode.Max);

        model.Fit(train, Options(epochs: 1), callbacks: [probe]);

        Assert.True(probe.HigherWasBetter);
    }

    private sealed class DirectionProbe(string monitor, MonitorMode mode = MonitorMode.Auto) : MonitorCallback(monitor, mode, 0)
    {
        public bool? HigherWasBetter { get; private set; }

        public override void OnTrainBegin(TrainingContext context)
        {
            base.OnTrainBegin(context);
            HigherWasBetter = HigherIsBetter;
        }
    }

    /// <summary>A lower-is-better metric whose name contains "accuracy".</summary>
    private sealed class GapMetric : Metric
    {
        public override string Name => "error_accuracy_gap";
        public override MetricDirection Direction => MetricDirection.LowerIsBetter;
        public override void Reset() { }
        public override void Update(Tensor output, Tensor target) { }
        public override double Result() => 0;
    }
}
