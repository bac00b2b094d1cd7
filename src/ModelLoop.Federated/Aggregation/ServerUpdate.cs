namespace ModelLoop.Federated.Aggregation;

/// <summary>
/// The server side of a round, after the updates are averaged: optional client-level DP noise on the average, then
/// w ← w + η Δ (FedAvg, FedProx) or v ← βv + Δ, w ← w + η v (FedAvgM).
/// </summary>
internal static class ServerUpdate
{
    /// <summary>Updates <paramref name="weights"/> in place; returns the momentum buffer (FedAvgM) or null.</summary>
    public static float[]? Apply(float[] weights, float[] average, float[]? momentum, FederatedOptions options)
    {
        if (options.Algorithm == FederatedAlgorithm.FedAvgM)
        {
            momentum ??= new float[weights.Length];
            for (var i = 0; i < weights.Length; i++)
            {
                momentum[i] = (float)(options.ServerMomentum * momentum[i] + average[i]);
                weights[i] += (float)(options.ServerLearningRate * momentum[i]);
            }
            return momentum;
        }
        for (var i = 0; i < weights.Length; i++)
            weights[i] += (float)(options.ServerLearningRate * average[i]);
        return null;
    }

    /// <summary>
    /// Client-level DP (McMahan et al. 2018, DP-FedAvg): the average of clipped updates over a fixed denominator
    /// (the expected number of sampled owners m) gets Gaussian noise of standard deviation σ·C/m per coordinate.
    /// </summary>
    public static void AddNoise(float[] average, double noiseMultiplier, double clipNorm, double denominator, Random random)
    {
        var std = noiseMultiplier * clipNorm / denominator;
        for (var i = 0; i < average.Length; i++)
            average[i] += (float)(std * MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1));
    }

    /// <summary>Scales <paramref name="update"/> so its L2 norm is at most <paramref name="clipNorm"/>.</summary>
    public static void Clip(float[] update, double clipNorm)
    {
        double squares = 0;
        foreach (var v in update)
            squares += (double)v * v;
        var norm = Math.Sqrt(squares);
        if (norm <= clipNorm)
            return;
        var scale = (float)(clipNorm / norm);
        for (var i = 0; i < update.Length; i++)
            update[i] *= scale;
    }
}
