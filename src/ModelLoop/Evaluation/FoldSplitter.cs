namespace ModelLoop.Evaluation;

/// <summary>
/// K-fold index splits for <see cref="CrossValidation"/>. Kept internal to Evaluation: the general data splits
/// (Data/Splits) are another issue's work; this is the small piece cross-validation needs.
/// </summary>
internal static class FoldSplitter
{
    /// <summary>
    /// Test indices of each fold. Plain: the (optionally shuffled) indices cut into k contiguous parts, the first
    /// n mod k one larger (as scikit-learn's KFold). Stratified: samples ordered by class (shuffled within each
    /// class) and dealt to folds in turn, so every fold holds each class's count ± 1.
    /// </summary>
    public static int[][] TestFolds(int count, int folds, IReadOnlyList<int>? classes, bool shuffle, int seed)
    {
        if (folds < 2)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "Cross-validation needs at least 2 folds; 5 or 10 is usual.");
        if (folds > count)
            throw new ArgumentException($"Cannot split {count} samples into {folds} folds; use at most {count} folds or more data.", nameof(folds));
        var random = new Random(seed);
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle)
            random.Shuffle(order);
        var result = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToArray();
        if (classes is null)
        {
            var start = 0;
            for (var f = 0; f < folds; f++)
            {
                var size = count / folds + (f < count % folds ? 1 : 0);
                result[f].AddRange(order.Skip(start).Take(size));
                start += size;
            }
        }
        else
        {
            // Stable order by class keeps the within-class shuffle; dealing continues across classes so fold sizes stay balanced too.
            var byClass = order.OrderBy(i => classes[i]).ToArray();
            for (var position = 0; position < byClass.Length; position++)
                result[position % folds].Add(byClass[position]);
        }
        return result.Select(f => f.Order().ToArray()).ToArray();
    }
}
