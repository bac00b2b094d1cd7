using ModelLoop.Data;
using static TorchSharp.torch;

namespace ModelLoop.Demo;

/// <summary>One stream of requests: PNG files and their true labels.</summary>
internal sealed record TrafficPart(byte[][] Images, int[] Labels);

/// <summary>
/// The demo's requests, from the Fashion-MNIST test images (never trained on): the first half of them before the promotion
/// (clean first, then shifted), the second half after it and for measuring recovery (images 5,000–9,999 of the real
/// set), so the recovery figures are on images no model and no retraining saw in any form.
/// </summary>
internal sealed class Traffic : IDisposable
{
    private Traffic(TrafficPart before, TrafficPart after, Tensor recoveryClean, Tensor recoveryShifted, Tensor recoveryLabels)
    {
        (Before, After, RecoveryClean, RecoveryShifted, RecoveryLabels) = (before, after, recoveryClean, recoveryShifted, recoveryLabels);
    }

    public TrafficPart Before { get; }
    public TrafficPart After { get; }
    /// <summary>The second half of the test images in [0, 1], clean and shifted, with their labels.</summary>
    public Tensor RecoveryClean { get; }
    public Tensor RecoveryShifted { get; }
    public Tensor RecoveryLabels { get; }

    public static Traffic Load(string data, FeedbackDemoOptions options)
    {
        var (train, test) = FashionMnist.Load(data, trainLimit: 1);
        train.Dispose();
        using (test)
        {
            var half = (int)(test.Count / 2);
            var first = options.CleanRequests + options.MaxShiftedRequests;
            if (first > half || options.AfterRequests > half)
                throw new ArgumentException($"The traffic uses the first half of the {test.Count:N0} test images in '{data}' before the promotion and the second half after it: clean + shifted requests ({first:N0}) and requests after the promotion ({options.AfterRequests:N0}) must each be ≤ {half:N0}.");
            using var scope = NewDisposeScope();
            var clean = test.Features[..options.CleanRequests];
            var shifted = options.Shift.Apply(test.Features[options.CleanRequests..first], options.Seed);
            var before = new TrafficPart(PngImages.Encode(cat([clean, shifted], 0)), Labels(test.Labels[..first]));
            var recoveryClean = test.Features[half..(2 * half)].clone();
            var recoveryShifted = options.Shift.Apply(recoveryClean, options.Seed + 1);
            var recoveryLabels = test.Labels[half..(2 * half)].clone();
            var after = new TrafficPart(PngImages.Encode(recoveryShifted[..options.AfterRequests]), Labels(recoveryLabels[..options.AfterRequests]));
            return new Traffic(before, after, recoveryClean.MoveToOuterDisposeScope(), recoveryShifted.MoveToOuterDisposeScope(), recoveryLabels.MoveToOuterDisposeScope());
        }
    }

    private static int[] Labels(Tensor labels) => labels.to(ScalarType.Int64).data<long>().ToArray().Select(l => (int)l).ToArray();

    public void Dispose()
    {
        RecoveryClean.Dispose();
        RecoveryShifted.Dispose();
        RecoveryLabels.Dispose();
    }
}
