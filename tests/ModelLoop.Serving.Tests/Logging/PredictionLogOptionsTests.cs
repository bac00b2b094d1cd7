using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Serving.Tests.Logging;

public sealed class PredictionLogOptionsTests
{
    private static PredictionLogOptions Options() => new()
    {
        Inputs = InputStorage.Hash,
        SampleRate = 0.5,
        Models = { ["fraud"] = new PredictionLogRule { Inputs = InputStorage.Raw, SampleRate = 1 } },
        Tenants =
        {
            ["bank"] = new PredictionLogRule { Inputs = InputStorage.None, Features = false },
            ["lab"] = new PredictionLogRule { Inputs = InputStorage.Raw, SampleRate = 0.1 },
        },
    };

    [Fact]
    public void WithoutRulesTheDefaultsApply()
    {
        var rule = Options().RuleFor("iris", "shop");

        Assert.Equal((InputStorage.Hash, 0.5, true), (rule.Inputs, rule.SampleRate, rule.Features));
    }

    [Fact]
    public void AModelRuleOverridesTheDefaultsAndATenantRuleOverridesTheModels()
    {
        var model = Options().RuleFor("fraud", "shop");
        var both = Options().RuleFor("fraud", "lab");

        Assert.Equal((InputStorage.Raw, 1.0), (model.Inputs, model.SampleRate));
        Assert.Equal((InputStorage.Raw, 0.1), (both.Inputs, both.SampleRate));
    }

    [Fact]
    public void InputStorageIsTheMostPrivateOfTheModelsAndTheTenantsRule()
    {
        var bankOnFraud = Options().RuleFor("fraud", "bank");
        var labOnIris = Options().RuleFor("iris", "lab");

        Assert.Equal((InputStorage.None, false), (bankOnFraud.Inputs, bankOnFraud.Features));
        Assert.Equal(InputStorage.Raw, labOnIris.Inputs); // the tenant opted in and the model sets nothing
    }

    [Theory]
    [InlineData(1.5, "Serving:PredictionLog:SampleRate is 1.5")]
    [InlineData(-0.1, "Serving:PredictionLog:SampleRate is -0.1")]
    public void ASampleRateOutsideZeroToOneIsRefusedNamingTheSetting(double rate, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new PredictionLogOptions { SampleRate = rate }.Validate());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ARulesSampleRateAndANonPositiveRetentionAreRefusedNamingTheSetting()
    {
        var rule = Assert.Throws<ArgumentException>(() => new PredictionLogOptions { Models = { ["iris"] = new PredictionLogRule { SampleRate = 2 } } }.Validate());
        var days = Assert.Throws<ArgumentException>(() => new PredictionLogOptions { RetentionDays = 0 }.Validate());

        Assert.Contains("Serving:PredictionLog:Models:iris:SampleRate is 2", rule.Message);
        Assert.Contains("Serving:PredictionLog:RetentionDays is 0", days.Message);
    }

    [Fact]
    public void AServerWithAnInvalidLogSettingStopsAtStartWithTheSettingsName()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true", ["Serving:PredictionLog:SampleRate"] = "2" });

        var error = Assert.ThrowsAny<Exception>(() => server.Client());

        Assert.Contains("Serving:PredictionLog:SampleRate is 2", error.ToString());
    }
}
