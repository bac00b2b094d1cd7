using ModelLoop.Federated.Secure;

namespace ModelLoop.Federated.Tests;

/// <summary>The protocol run in memory: what the coordinator holds (masked inputs, the sum) against what the owners sent.</summary>
public sealed class SecureAggregationTests
{
    private static readonly FixedPoint Encoding = new(fractionBits: 20, maxClients: 16);

    /// <summary>Runs one round; owners in <paramref name="dropBeforeInput"/> share keys, then send no masked input.</summary>
    private static (uint[] Sum, SecureAggregationServer Server, Dictionary<string, uint[]> Encoded) Run(float[][] updates, int threshold, ISet<string> dropBeforeInput)
    {
        var ids = Enumerable.Range(0, updates.Length).Select(i => $"owner-{i:D2}").ToArray();
        var clients = ids.Select(id => new SecureAggregationClient(id, round: 3)).ToArray();
        var server = new SecureAggregationServer(3, updates[0].Length, threshold);
        foreach (var client in clients)
            server.AddAdvertisement(client.Advertise());
        var roster = server.Roster.ToList();
        for (var i = 0; i < clients.Length; i++)
            server.AddShares(ids[i], clients[i].ShareKeys(roster, threshold));
        var encoded = new Dictionary<string, uint[]>();
        for (var i = 0; i < clients.Length; i++)
        {
            var x = new uint[updates[i].Length];
            Encoding.Encode(updates[i], x);
            encoded[ids[i]] = x;
            if (!dropBeforeInput.Contains(ids[i]))
                server.AddMaskedInput(ids[i], clients[i].Mask(x, server.SharesFor(ids[i])));
        }
        var (survivors, dropped) = server.UnmaskRequest();
        foreach (var i in Enumerable.Range(0, clients.Length).Where(i => survivors.Contains(ids[i])))
            server.AddUnmaskShares(clients[i].Unmask(survivors.ToList(), dropped.ToList()));
        var sum = server.Sum();
        foreach (var client in clients)
            client.Dispose();
        return (sum, server, encoded);
    }

    private static float[][] Updates(int owners, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, owners).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.3f).ToArray()).ToArray();
    }

    [Fact]
    public void The_unmasked_sum_equals_the_sum_of_the_encoded_updates_exactly()
    {
        var updates = Updates(5, 300, seed: 1);
        var (sum, _, encoded) = Run(updates, threshold: 3, new HashSet<string>());
        var expected = new uint[300];
        foreach (var x in encoded.Values)
            for (var i = 0; i < expected.Length; i++)
                expected[i] = unchecked(expected[i] + x[i]);
        Assert.Equal(expected, sum);
        for (var i = 0; i < 300; i++)
            Assert.InRange(Encoding.Decode(sum[i]) - updates.Sum(u => (double)u[i]), -5 * Encoding.Resolution - 1e-6, 5 * Encoding.Resolution + 1e-6);
    }

    [Fact]
    public void The_sum_of_the_survivors_survives_dropouts_up_to_the_threshold()
    {
        var updates = Updates(6, 200, seed: 2);
        var gone = new HashSet<string> { "owner-01", "owner-04", "owner-05" }; // 6 owners, threshold 3: 3 may drop
        var (sum, _, _) = Run(updates, threshold: 3, gone);
        var survivors = new[] { 0, 2, 3 };
        for (var i = 0; i < 200; i++)
            Assert.InRange(Encoding.Decode(sum[i]) - survivors.Sum(s => (double)updates[s][i]), -3 * Encoding.Resolution - 1e-6, 3 * Encoding.Resolution + 1e-6);
    }

    [Fact]
    public void More_dropouts_than_the_threshold_allows_fail_the_round()
    {
        var updates = Updates(5, 50, seed: 3);
        Assert.Throws<FederatedRoundException>(() => Run(updates, threshold: 3, new HashSet<string> { "owner-00", "owner-01", "owner-02" }));
    }

    [Fact]
    public void A_masked_input_is_uncorrelated_with_the_update_it_hides()
    {
        // An update with a strong pattern (a ramp); what the coordinator holds of this owner is its masked vector.
        var length = 4000;
        var updates = Updates(4, length, seed: 4);
        updates[0] = Enumerable.Range(0, length).Select(i => (float)(i / (double)length - 0.5) * 0.5f).ToArray();
        var (_, server, encoded) = Run(updates, threshold: 3, new HashSet<string>());
        var masked = server.MaskedInputs["owner-00"].Select(v => (double)v).ToArray();
        var plain = encoded["owner-00"].Select(v => (double)unchecked((int)v)).ToArray();
        var correlation = MathNet.Numerics.Statistics.Correlation.Pearson(masked, plain);
        // Independent uniform masks: |r| ~ 1/√n ≈ 0.016; the unmasked encoding has r = 1 with itself.
        Assert.InRange(Math.Abs(correlation), 0, 0.06);
        Assert.Equal(1.0, MathNet.Numerics.Statistics.Correlation.Pearson(plain, updates[0].Select(v => (double)v).ToArray()), 3);
        // And the masked vector is spread over the whole ring, not near the update's small values.
        Assert.True(masked.Count(v => v > uint.MaxValue / 4.0 && v < uint.MaxValue * 0.75) > length / 3);
    }

    [Fact]
    public void An_owner_refuses_to_reveal_both_secrets_of_one_owner()
    {
        var clients = new[] { "a", "b", "c" }.Select(id => new SecureAggregationClient(id, 1)).ToArray();
        var roster = clients.Select(c => c.Advertise()).ToList();
        var shares = clients.SelectMany(c => c.ShareKeys(roster, 2)).ToList();
        clients[0].Mask(new uint[4], shares.Where(s => s.To == "a").ToList());
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => clients[0].Unmask(["a", "b"], ["b"]));
    }

    [Fact]
    public void Fixed_point_encoding_is_within_half_a_step_and_clips_outside_its_range()
    {
        var encoding = new FixedPoint(fractionBits: 16, maxClients: 4);
        float[] values = [0.1234567f, -3.3f, 0f, (float)encoding.Range * 2];
        var encoded = new uint[values.Length];
        Assert.Equal(1, encoding.Encode(values, encoded));
        for (var i = 0; i < 3; i++)
            Assert.InRange(encoding.Decode(encoded[i]) - values[i], -encoding.Resolution - 1e-9, encoding.Resolution + 1e-9);
        Assert.InRange(encoding.Decode(encoded[3]), encoding.Range - 1e-4, encoding.Range + 1e-4);
    }
}
