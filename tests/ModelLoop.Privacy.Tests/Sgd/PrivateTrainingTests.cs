using ModelLoop.Loop;
using ModelLoop.Privacy.Sgd;

namespace ModelLoop.Privacy.Tests.Sgd;

public class PrivateTrainingTests
{
    [Fact]
    public void A_privacy_section_adds_a_dp_sgd_plugin_with_its_settings_first()
    {
        var config = new TrainingConfig { Privacy = new PrivacyConfig { Epsilon = 3, Delta = 1e-6, MaxGradNorm = 0.5 } };
        var options = PrivateTraining.Options(config, new TrainingJobOptions());
        var plugin = Assert.IsType<DpSgdPlugin>(Assert.Single(options.Plugins));
        Assert.Equal(3, plugin.Options.TargetEpsilon);
        Assert.Equal(1e-6, plugin.Options.Delta);
        Assert.Equal(0.5, plugin.Options.MaxGradNorm);
        Assert.NotNull(options.PackageMetrics);
    }

    [Fact]
    public void Without_a_privacy_section_the_options_are_unchanged()
    {
        var options = new TrainingJobOptions();
        Assert.Same(options, PrivateTraining.Options(new TrainingConfig(), options));
    }

    [Fact]
    public void A_non_positive_epsilon_in_the_config_is_refused_naming_the_field()
    {
        var config = new TrainingConfig { Privacy = new PrivacyConfig { Epsilon = -1 } };
        var ex = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains("privacy.epsilon", ex.Message);
        Assert.Contains("-1", ex.Message);
    }

    [Fact]
    public void The_privacy_section_round_trips_through_yaml()
    {
        var config = TrainingConfig.FromYaml("privacy: { epsilon: 3, delta: 1.0e-5, maxGradNorm: 1.5 }");
        Assert.Equal(3, config.Privacy!.Epsilon);
        Assert.Equal(1.5, config.Privacy.MaxGradNorm);
        Assert.Equal(config.Hash, TrainingConfig.FromJson(config.ToJson()).Hash);
        Assert.NotEqual(new TrainingConfig().Hash, config.Hash);
    }
}
