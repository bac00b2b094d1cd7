using System.Globalization;
using ModelLoop.Evaluation.Report;
using ModelLoop.Loop;

namespace ModelLoop.Privacy.Sgd;

/// <summary>
/// The differential-privacy section of <see cref="EvaluationJob"/>'s report: the (ε, δ) guarantee a DP-SGD run gave the
/// evaluated model (ε, δ, σ, C, q, steps), read from its package metrics. Nothing for a model trained without DP.
/// <c>modelloop eval</c> always adds it, so a private model's report always states its guarantee.
/// </summary>
public sealed class DifferentialPrivacyAddOn : IEvaluationAddOn
{
    /// <summary>The JSON key of the section in evaluation.json.</summary>
    public const string Key = "differentialPrivacy";

    /// <summary>The section, or null when the model's package records no DP guarantee.</summary>
    public ReportSection? Evaluate(EvaluationAddOnContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PrivacyGuarantee.FromMetrics(context.Model.Package.Metadata.Metrics) is { } guarantee ? Section(guarantee) : null;
    }

    /// <summary>The report section for <paramref name="guarantee"/>.</summary>
    public static ReportSection Section(PrivacyGuarantee guarantee)
    {
        ArgumentNullException.ThrowIfNull(guarantee);
        string F(double v) => double.IsNaN(v) ? "not recorded" : v.ToString("G4", CultureInfo.InvariantCulture);
        return new ReportSection
        {
            Key = Key,
            Heading = "Privacy: differential privacy (DP-SGD)",
            Data = guarantee,
            Paragraphs =
            [
                string.Create(CultureInfo.InvariantCulture, $"This model was trained with DP-SGD and is ({F(guarantee.Epsilon)}, {F(guarantee.Delta)})-differentially private with respect to each training row: ") +
                "whether any one row was in the training data changes the probability of any outcome of training by at most a factor e^ε, except with probability δ.",
                "Each sample's gradient was clipped to norm C, Gaussian noise of standard deviation σ·C was added to every batch's sum, and batches were Poisson-sampled at rate q; " +
                "ε is from the Rényi-DP accountant of the subsampled Gaussian mechanism (as in Opacus and TF Privacy) over all the run's steps.",
            ],
            TableHeaders = ["ε", "δ", "noise multiplier σ", "max grad norm C", "sampling rate q", "steps"],
            TableRows =
            [
                [F(guarantee.Epsilon), F(guarantee.Delta), F(guarantee.NoiseMultiplier), F(guarantee.MaxGradNorm),
                 guarantee.SampleRate is { } q ? F(q) : "not recorded", guarantee.Steps?.ToString("N0", CultureInfo.InvariantCulture) ?? "not recorded"],
            ],
        };
    }
}
