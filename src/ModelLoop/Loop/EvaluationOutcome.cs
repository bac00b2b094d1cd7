using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;

namespace ModelLoop.Loop;

/// <summary>What <see cref="EvaluationJob.Run"/> measured and wrote.</summary>
public sealed record EvaluationOutcome
{
    public required EvaluationResult Result { get; init; }
    /// <summary>report.html, evaluation.json and the plots.</summary>
    public required ReportFiles Report { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>The comparison with <see cref="EvaluationRequest.Against"/>, or null.</summary>
    public ComparisonResult? Comparison { get; init; }
    /// <summary>comparison.json, or null.</summary>
    public string? ComparisonPath { get; init; }
    /// <summary>The cross-validation, or null.</summary>
    public CrossValidationResult? CrossValidation { get; init; }
    /// <summary>cross-validation.json, or null.</summary>
    public string? CrossValidationPath { get; init; }
    /// <summary>The sections the request's add-ons contributed, in order. Defaults to none.</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];
    /// <summary>Things the user should know (e.g. the data is not the file the model was trained on).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
