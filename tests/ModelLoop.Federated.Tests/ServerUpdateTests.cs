using ModelLoop.Federated.Aggregation;

namespace ModelLoop.Federated.Tests;

public sealed class ServerUpdateTests
{
    [Fact]
    public void FedAvgM_accumulates_momentum_across_rounds()
    {
        var options = new FederatedOptions { Algorithm = FederatedAlgorithm.FedAvgM, ServerMomentum = 0.5, ServerLearningRate = 1 };
        var weights = new float[] { 0f };
        var momentum = ServerUpdate.Apply(weights, [1f], null, options);
        momentum = ServerUpdate.Apply(weights, [1f], momentum, options);
        // v1 = 1, w1 = 1; v2 = 0.5·1 + 1 = 1.5, w2 = 2.5 — plain FedAvg would be at 2.
        Assert.Equal(2.5f, weights[0], 5);
        Assert.Equal(1.5f, momentum![0], 5);
    }

    [Fact]
    public void Clipping_bounds_the_update_norm_and_keeps_its_direction()
    {
        var update = new float[] { 3, 4 };
        ServerUpdate.Clip(update, 1.0);
        Assert.Equal(0.6f, update[0], 5);
        Assert.Equal(0.8f, update[1], 5);
        var small = new float[] { 0.1f, 0 };
        ServerUpdate.Clip(small, 1.0);
        Assert.Equal(0.1f, small[0]);
    }
}
