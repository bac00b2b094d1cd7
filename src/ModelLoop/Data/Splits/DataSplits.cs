using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data.Splits;

/// <summary>
/// Reproducible splits of row indices: random, stratified (every class keeps its share in every part), group-aware
/// (all rows of a group — a patient, a user — land in one part, so nothing leaks across), k-fold and stratified
/// k-fold. The same seed gives the same split on every machine (System.Random with a seed is a fixed algorithm).
/// </summary>
public static class DataSplits
{
    /// <summary>A random train/validation/test split of <paramref name="count"/> rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fractions outside [0, 1) or summing to 1 or more.</exception>
    public static SplitIndices Random(int count, double validation, double test, int seed)
    {
        CheckFractions(validation, test);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var testCount = (int)Math.Round(count * test);
        var validationCount = (int)Math.Round(count * validation);
        return Sorted(order[(testCount + validationCount)..], order[testCount..(testCount + validationCount)], order[..testCount]);
    }

    /// <summary>
    /// A stratified split: each class (distinct label) is shuffled and cut by the fractions separately, so the
    /// class balance of every part matches the whole (to rounding per class).
    /// </summary>
    public static SplitIndices Stratified<TLabel>(IReadOnlyList<TLabel> labels, double validation, double test, int seed) where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckFractions(validation, test);
        var random = new Random(seed);
        List<int> train = [], valid = [], testRows = [];
        foreach (var rows in ByClass(labels))
        {
            random.Shuffle(rows);
            var testCount = (int)Math.Round(rows.Length * test);
            var validationCount = (int)Math.Round(rows.Length * validation);
            testRows.AddRange(rows[..testCount]);
            valid.AddRange(rows[testCount..(testCount + validationCount)]);
            train.AddRange(rows[(testCount + validationCount)..]);
        }
        return Sorted([.. train], [.. valid], [.. testRows]);
    }

    /// <summary>A stratified split of a table's rows by the values of <paramref name="labelColumn"/> (missing labels form one class).</summary>
    /// <exception cref="ArgumentException">The table has no such column.</exception>
    public static SplitIndices Stratified(Readers.RawTable table, string labelColumn, double validation, double test, int seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Stratified(table.Column(labelColumn).Select(c => table.Inference.IsMissing(c) ? "" : c!.Trim()).ToArray(), validation, test, seed);
    }

    /// <summary>
    /// A group-aware split: groups are shuffled and whole groups go to test until it holds at least
    /// <paramref name="test"/> of the rows, then to validation likewise; the rest train. No group spans two parts.
    /// </summary>
    public static SplitIndices ByGroup<TGroup>(IReadOnlyList<TGroup> groups, double validation, double test, int seed) where TGroup : notnull
    {
        ArgumentNullException.ThrowIfNull(groups);
        CheckFractions(validation, test);
        var all = ByClass(groups);
        new Random(seed).Shuffle(all);
        List<int> train = [], valid = [], testRows = [];
        foreach (var rows in all)
        {
            var target = testRows.Count < groups.Count * test ? testRows
                : valid.Count < groups.Count * validation ? valid
                : train;
            target.AddRange(rows);
        }
        return Sorted([.. train], [.. valid], [.. testRows]);
    }

    /// <summary>K-fold cross-validation: rows shuffled once, dealt into k folds whose sizes differ by at most one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 2 or more folds than rows.</exception>
    public static IReadOnlyList<Fold> KFold(int count, int k, int seed)
    {
        CheckK(k, count);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var assignment = new int[count];
        for (var i = 0; i < count; i++)
            assignment[order[i]] = i % k;
        return Folds(assignment, k);
    }

    /// <summary>
    /// Stratified k-fold: each class is shuffled and dealt round-robin over the folds (continuing where the last
    /// class stopped, so fold sizes stay within one), so every fold keeps the class balance.
    /// </summary>
    public static IReadOnlyList<Fold> StratifiedKFold<TLabel>(IReadOnlyList<TLabel> labels, int k, int seed) where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckK(k, labels.Count);
        var random = new Random(seed);
        var assignment = new int[labels.Count];
        var next = 0;
        foreach (var rows in ByClass(labels))
        {
            random.Shuffle(rows);
            foreach (var row in rows)
                assignment[row] = next++ % k;
        }
        return Folds(assignment, k);
    }

    /// <summary>
    /// Group k-fold: whole groups are dealt to folds — shuffled, then largest first, each to the fold with the fewest
    /// rows so far — so no group is in a fold's training and validation rows at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 2 or more folds than groups.</exception>
    public static IReadOnlyList<Fold> GroupKFold<TGroup>(IReadOnlyList<TGroup> groups, int k, int seed) where TGroup : notnull
    {
        ArgumentNullException.ThrowIfNull(groups);
        var all = ByClass(groups);
        CheckK(k, all.Length);
        new Random(seed).Shuffle(all);
        var sizes = new int[k];
        var assignment = new int[groups.Count];
        // A stable sort by size keeps the shuffled order among equal sizes, so the seed still decides ties.
        foreach (var rows in all.OrderByDescending(g => g.Length))
        {
            var fold = Array.IndexOf(sizes, sizes.Min());
            sizes[fold] += rows.Length;
            foreach (var row in rows)
                assignment[row] = fold;
        }
        return Folds(assignment, k);
    }

    /// <summary>The class index of every sample of a dataset with int64 class labels (N), for the stratified splits.</summary>
    public static long[] ClassLabels(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels.dim() != 1 || data.Labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"Stratified splits need int64 class labels (N); received {data.Labels.dtype} of shape [{string.Join(", ", data.Labels.shape)}]. Use Random or KFold for regression targets.", nameof(data));
        return data.Labels.data<long>().ToArray();
    }

    /// <summary>The samples at <paramref name="indices"/> as a new dataset (copies; shares no storage).</summary>
    public static TensorDataset Subset(TensorDataset data, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        TorchRuntime.EnsureLoaded();
        using var index = tensor(indices.Select(i => (long)i).ToArray());
        return new TensorDataset(data.Features.index_select(0, index), data.Labels.index_select(0, index));
    }

    /// <summary>Rows of each distinct value, classes in first-seen order (deterministic for a given input).</summary>
    private static int[][] ByClass<T>(IReadOnlyList<T> values) where T : notnull
    {
        var groups = new Dictionary<T, List<int>>();
        var order = new List<T>();
        for (var i = 0; i < values.Count; i++)
        {
            if (!groups.TryGetValue(values[i], out var rows))
            {
                groups[values[i]] = rows = [];
                order.Add(values[i]);
            }
            rows.Add(i);
        }
        return order.Select(v => groups[v].ToArray()).ToArray();
    }

    private static SplitIndices Sorted(int[] train, int[] validation, int[] test)
    {
        Array.Sort(train);
        Array.Sort(validation);
        Array.Sort(test);
        return new SplitIndices(train, validation, test);
    }

    private static IReadOnlyList<Fold> Folds(int[] assignment, int k) =>
        Enumerable.Range(0, k).Select(f => new Fold(f,
            Enumerable.Range(0, assignment.Length).Where(i => assignment[i] != f).ToArray(),
            Enumerable.Range(0, assignment.Length).Where(i => assignment[i] == f).ToArray())).ToArray();

    private static void CheckFractions(double validation, double test)
    {
        if (validation is < 0 or >= 1 || double.IsNaN(validation))
            throw new ArgumentOutOfRangeException(nameof(validation), validation, "The validation fraction must be in [0, 1), e.g. 0.1.");
        if (test is < 0 or >= 1 || double.IsNaN(test))
            throw new ArgumentOutOfRangeException(nameof(test), test, "The test fraction must be in [0, 1), e.g. 0.2.");
        if (validation + test >= 1)
            throw new ArgumentOutOfRangeException(nameof(test), test, $"Validation ({validation}) and test ({test}) fractions sum to {validation + test}; they must leave rows to train on (sum < 1).");
    }

    private static void CheckK(int k, int count)
    {
        if (k < 2 || k > count)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k-fold needs 2 ≤ k ≤ the number of rows ({count}); received k = {k}.");
    }
}
