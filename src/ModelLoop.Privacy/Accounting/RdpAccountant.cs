namespace ModelLoop.Privacy.Accounting;

/// <summary>
/// Rényi-DP accountant for DP-SGD with Poisson sampling (the analysis of Opacus and TF Privacy). Each step is a
/// subsampled Gaussian mechanism; RDP composes by addition over steps, per order α; the total converts to (ε, δ) with
/// the conversion of Balle et al. 2020 ("Hypothesis Testing Interpretations and Rényi Differential Privacy",
/// Theorem 21), the one Opacus uses: ε = min_α [RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1)], tighter than
/// Mironov's original RDP(α) + log(1/δ)/(α − 1).
/// </summary>
public sealed class RdpAccountant
{
    private readonly List<RdpStep> _history = [];

    /// <summary>Opacus's default order grid: 1.1, 1.2, …, 10.9 and 12, 13, …, 63.</summary>
    public static IReadOnlyList<double> DefaultOrders { get; } =
        [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(12, 52).Select(x => (double)x)];

    /// <summary>Creates an accountant that has seen no steps.</summary>
    /// <param name="orders">The Rényi orders α (&gt; 1) to evaluate. Defaults to <see cref="DefaultOrders"/>.</param>
    public RdpAccountant(IReadOnlyList<double>? orders = null)
    {
        Orders = ValidateOrders(orders ?? DefaultOrders);
    }

    /// <summary>The Rényi orders the accountant evaluates.</summary>
    public IReadOnlyList<double> Orders { get; }

    /// <summary>The steps taken so far, consecutive steps with equal parameters merged into one entry.</summary>
    public IReadOnlyList<RdpStep> History => _history;

    /// <summary>The number of steps taken so far.</summary>
    public long Steps => _history.Sum(h => h.Steps);

    /// <summary>Records <paramref name="steps"/> steps with noise multiplier σ and sampling rate q.</summary>
    public void Step(double noiseMultiplier, double sampleRate, long steps = 1)
    {
        Validate(noiseMultiplier, sampleRate, steps);
        if (steps == 0) return;
        if (_history.Count > 0 && _history[^1] is var last && last.NoiseMultiplier == noiseMultiplier && last.SampleRate == sampleRate)
            _history[^1] = last with { Steps = last.Steps + steps };
        else
            _history.Add(new RdpStep(noiseMultiplier, sampleRate, steps));
    }

    /// <summary>Replaces the history (when a checkpointed run resumes).</summary>
    public void Restore(IEnumerable<RdpStep> history)
    {
        var steps = history.ToList();
        foreach (var s in steps) Validate(s.NoiseMultiplier, s.SampleRate, s.Steps);
        _history.Clear();
        _history.AddRange(steps);
    }

    /// <summary>The (ε, δ) guarantee of all steps so far; ε = 0 before the first step.</summary>
    public PrivacySpent GetPrivacySpent(double delta)
    {
        // Nothing released yet: the conversion's slack terms would otherwise report ε ≈ 0.1 for zero RDP.
        if (Steps == 0) return PrivacySpentFrom(Orders, new double[Orders.Count], delta) with { Epsilon = 0 };
        var rdp = new double[Orders.Count];
        foreach (var h in _history)
        {
            var one = ComputeRdp(h.SampleRate, h.NoiseMultiplier, h.Steps, Orders);
            for (var i = 0; i < rdp.Length; i++) rdp[i] += one[i];
        }
        return PrivacySpentFrom(Orders, rdp, delta);
    }

    /// <summary>ε at <paramref name="delta"/> for all steps so far.</summary>
    public double GetEpsilon(double delta) => GetPrivacySpent(delta).Epsilon;

    /// <summary>ε of <paramref name="steps"/> steps with σ and q, at δ, without keeping any state.</summary>
    public static double Epsilon(double noiseMultiplier, double sampleRate, long steps, double delta, IReadOnlyList<double>? orders = null)
    {
        Validate(noiseMultiplier, sampleRate, steps);
        var grid = ValidateOrders(orders ?? DefaultOrders);
        return PrivacySpentFrom(grid, ComputeRdp(sampleRate, noiseMultiplier, steps, grid), delta).Epsilon;
    }

    /// <summary>RDP of <paramref name="steps"/> composed steps, per order.</summary>
    public static double[] ComputeRdp(double sampleRate, double noiseMultiplier, long steps, IReadOnlyList<double> orders) =>
        [.. orders.Select(a => steps == 0 ? 0 : SubsampledGaussian.Rdp(sampleRate, noiseMultiplier, a) * steps)];

    /// <summary>Converts RDP values (one per order) to the tightest (ε, δ) over the orders (Balle et al. 2020, Thm 21).</summary>
    public static PrivacySpent PrivacySpentFrom(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        if (!(delta > 0 && delta < 1))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta must be in (0, 1); received {delta}. What to do: pass a small δ such as 1e-5 (below 1/N for N training examples).");
        if (orders.Count != rdp.Count)
            throw new ArgumentException($"Received {rdp.Count} RDP values for {orders.Count} orders; expected one per order.", nameof(rdp));
        var best = new PrivacySpent(double.PositiveInfinity, delta, double.NaN);
        for (var i = 0; i < orders.Count; i++)
        {
            var a = orders[i];
            var eps = rdp[i] + Math.Log((a - 1) / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1);
            if (!double.IsNaN(eps) && eps < best.Epsilon) best = new PrivacySpent(eps, delta, a);
        }
        // The conversion can dip below zero for tiny RDP; ε is non-negative by definition.
        return best with { Epsilon = Math.Max(0, best.Epsilon) };
    }

    private static void Validate(double noiseMultiplier, double sampleRate, long steps)
    {
        if (!(noiseMultiplier >= 0) || double.IsInfinity(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, $"noiseMultiplier (σ) must be a finite number ≥ 0; received {noiseMultiplier}.");
        if (!(sampleRate >= 0 && sampleRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"sampleRate (q) must be in [0, 1]; received {sampleRate}. What to do: pass expected batch size / dataset size.");
        if (steps < 0)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be ≥ 0; received {steps}.");
    }

    private static IReadOnlyList<double> ValidateOrders(IReadOnlyList<double> orders)
    {
        if (orders.Count == 0 || orders.Any(a => !(a > 1)))
            throw new ArgumentException($"Rényi orders must be a non-empty list of numbers > 1; received [{string.Join(", ", orders)}].", nameof(orders));
        return [.. orders];
    }
}
