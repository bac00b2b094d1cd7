using ModelLoop.Privacy.Accounting;

namespace ModelLoop.Privacy.Tests.Accounting;

public class NoiseCalibrationTests
{
    [Theory]
    [InlineData(3.0, 1e-5, 0.02, 2000)]
    [InlineData(1.0, 1e-5, 0.004, 10000)]
    [InlineData(8.0, 1e-3, 0.1, 100)]
    public void The_calibrated_noise_meets_the_target_epsilon_within_tolerance(double target, double delta, double q, long steps)
    {
        var sigma = NoiseCalibration.NoiseMultiplier(target, delta, q, steps);
        var eps = RdpAccountant.Epsilon(sigma, q, steps, delta);
        Assert.InRange(eps, target - 0.01, target);
        // A noticeably smaller σ would overspend: the σ found is close to the smallest that works.
        Assert.True(RdpAccountant.Epsilon(sigma * 0.97, q, steps, delta) > target - 0.01);
    }

    [Fact]
    public void A_non_positive_epsilon_is_refused_with_what_was_received()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplier(0, 1e-5, 0.01, 100));
        Assert.Equal("targetEpsilon", ex.ParamName);
        Assert.Contains("received 0", ex.Message);
    }

    [Fact]
    public void Steps_for_epochs_are_epochs_over_the_sampling_rate()
    {
        Assert.Equal(600, NoiseCalibration.StepsFor(10, 0.0166666666666666667));
        Assert.Equal(30, NoiseCalibration.StepsFor(3, 0.1));
    }
}
