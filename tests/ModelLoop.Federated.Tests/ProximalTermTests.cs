using ModelLoop.Federated.Local;
using ModelLoop.Training;

namespace ModelLoop.Federated.Tests;

public sealed class ProximalTermTests
{
    [Fact]
    public void A_larger_mu_keeps_the_local_model_closer_to_the_global_one()
    {
        double Distance(double mu)
        {
            using var trainer = new LocalTrainer(TestData.Config(), TestData.Make(256, 5), TestData.Classes);
            var global = new float[trainer.Length];
            var (update, _) = trainer.Train(global, epochs: 3, mu, seed: 1);
            return Math.Sqrt(update.Sum(v => (double)v * v));
        }
        var (none, some, strong) = (Distance(0), Distance(0.5), Distance(5));
        Assert.True(none > some && some > strong, $"‖Δ‖ μ=0: {none:F4}, μ=0.5: {some:F4}, μ=5: {strong:F4}");
    }

    [Fact]
    public void A_negative_mu_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProximalTerm(-0.1));
    }

    [Fact]
    public void The_proximal_term_adds_mu_times_the_distance_to_the_global_weights_to_the_gradient()
    {
        // Full-batch SGD (one step per epoch), learning rate η: the first step starts at w0, where the term is 0; the
        // second starts at w1, so with the term it moves by an extra −η·μ·(w1 − w0) = −η·μ·Δ1.
        const double Eta = 0.1, Mu = 0.7;
        var config = TestData.Config(hidden: null) with { BatchSize = 64 };
        using var trainer = new LocalTrainer(config, TestData.Make(64, 9), TestData.Classes);
        var start = new float[trainer.Length];
        var (first, _) = trainer.Train(start, epochs: 1, mu: 0, seed: 3);
        var (plain, _) = trainer.Train(start, epochs: 2, mu: 0, seed: 3);
        var (proximal, _) = trainer.Train(start, epochs: 2, mu: Mu, seed: 3);
        Assert.Contains(first, v => Math.Abs(v) > 1e-3);
        for (var i = 0; i < first.Length; i++)
            Assert.Equal(plain[i] - Eta * Mu * first[i], proximal[i], 5);
    }
}
