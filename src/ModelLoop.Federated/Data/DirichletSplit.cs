using MathNet.Numerics.Distributions;

namespace ModelLoop.Federated.Data;

/// <summary>
/// Non-IID data owners from one labelled dataset, the usual federated benchmark split (Hsu et al. 2019): for every
/// class, the share of its samples each owner gets is drawn from Dirichlet(α, …, α). Small α (0.1) gives owners that
/// see one or two classes; large α (100) approaches an IID split.
/// </summary>
public static class DirichletSplit
{
    /// <summary>
    /// Sample indices for each of <paramref name="clients"/> owners. Every sample goes to exactly one owner; an owner
    /// that would get no sample gets one from the largest owner, so every owner can train.
    /// </summary>
    /// <param name="labels">Class index of every sample.</param>
    /// <param name="alpha">Concentration α &gt; 0 (e.g. 0.1, 0.5, 1.0).</param>
    public static int[][] Split(IReadOnlyList<long> labels, int clients, double alpha, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (clients < 1)
            throw new ArgumentOutOfRangeException(nameof(clients), clients, $"The number of data owners (--clients) must be at least 1; received {clients}.");
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"The Dirichlet concentration α (--dirichlet) must be a finite number > 0; received {alpha}. Use e.g. 0.1 (very non-IID), 0.5 or 1.0.");
        if (labels.Count < clients)
            throw new ArgumentException($"{labels.Count} samples cannot be split among {clients} data owners; use fewer owners (--clients) or more data.");
        var random = new Random(seed);
        var owners = Enumerable.Range(0, clients).Select(_ => new List<int>()).ToArray();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            // Dirichlet(α) shares as normalized Gamma(α, 1) draws (MathNet's Gamma sampler).
            var shares = Enumerable.Range(0, clients).Select(_ => Gamma.Sample(random, alpha, 1.0)).ToArray();
            var total = shares.Sum();
            if (!(total > 0))
            {
                shares = Enumerable.Repeat(1.0, clients).ToArray();
                total = clients;
            }
            var start = 0;
            double cumulative = 0;
            for (var c = 0; c < clients; c++)
            {
                cumulative += shares[c] / total;
                var end = c == clients - 1 ? members.Length : (int)Math.Round(cumulative * members.Length);
                end = Math.Clamp(end, start, members.Length);
                owners[c].AddRange(members[start..end]);
                start = end;
            }
        }
        for (var c = 0; c < clients; c++)
        {
            if (owners[c].Count > 0)
                continue;
            var largest = owners.OrderByDescending(o => o.Count).First();
            owners[c].Add(largest[^1]);
            largest.RemoveAt(largest.Count - 1);
        }
        return owners.Select(o => o.OrderBy(i => i).ToArray()).ToArray();
    }
}
