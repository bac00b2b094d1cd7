using ModelLoop.Native;
using ModelLoop.Training;

namespace ModelLoop.Privacy.Audit;

/// <summary>How a <see cref="MembershipAudit"/> samples its population and runs LiRA.</summary>
public sealed record MembershipAuditOptions
{
    /// <summary>
    /// Shadow models for LiRA, each trained by <c>TrainingJob</c> with the target's config on a random half of the audit
    /// population (every example in exactly half of them); 0 runs the loss-threshold attack alone. At least 2 (one IN and
    /// one OUT model per example). Defaults to 4.
    /// </summary>
    public int ShadowModels { get; init; } = 4;

    /// <summary>
    /// Size of the audit population, half members and half non-members, sampled (seeded) from each; each shadow model
    /// trains on half of it. Defaults to null: twice the smaller of the two, at most 10,000.
    /// </summary>
    public int? Population { get; init; }

    /// <summary>Defaults to <see cref="LiraVariant.Online"/>.</summary>
    public LiraVariant Variant { get; init; } = LiraVariant.Online;

    /// <summary>
    /// Fit each example's own variance rather than one pooled over examples. Defaults to false: with the few shadow models
    /// an audit can afford, two or so confidences per side and example give unusable variances (Carlini et al. §VI use a
    /// pooled variance below 64 shadow models).
    /// </summary>
    public bool PerExampleVariance { get; init; }

    /// <summary>Seeds the population sample, the shadow halves and the shadow models' training. Defaults to 0.</summary>
    public long Seed { get; init; }

    /// <summary>Folder for the shadow models' run folders, deleted afterwards. Defaults to null: a new folder under the system temp folder.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>
    /// Step plugins for a shadow model's training (e.g. the target's DP-SGD), built fresh for each one, so shadows follow the
    /// target's recipe where it is not in the config. Defaults to null (none).
    /// </summary>
    public Func<IReadOnlyList<StepPlugin>>? ShadowPlugins { get; init; }

    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>Receives one-line progress notes. Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }
}
