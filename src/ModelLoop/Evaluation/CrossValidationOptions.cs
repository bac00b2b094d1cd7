using ModelLoop.Training;

namespace ModelLoop.Evaluation;

/// <summary>Settings of <see cref="CrossValidation"/>.</summary>
public sealed record CrossValidationOptions
{
    /// <summary>Number of folds k. Defaults to 5.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Keep each class's share equal in every fold (classification only). Defaults to true.</summary>
    public bool Stratified { get; init; } = true;

    /// <summary>Seed of the folds (rows are shuffled before they are dealt, as <see cref="Data.Splits.DataSplits.KFold"/> does). Defaults to 0.</summary>
    public int Seed { get; init; }

    /// <summary>How each fold's model is trained. Defaults to FitOptions' defaults.</summary>
    public FitOptions Fit { get; init; } = new();

    /// <summary>How each fold's model is evaluated. Defaults to EvaluationOptions' defaults, with no image gallery.</summary>
    public EvaluationOptions Evaluation { get; init; } = new() { WrongExamples = 0 };
}
