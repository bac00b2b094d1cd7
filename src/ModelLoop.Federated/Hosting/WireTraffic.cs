using System.Diagnostics.Metrics;

namespace ModelLoop.Federated.Hosting;

/// <summary>
/// Bytes of Orleans messages this process sent and received over its network connections, as Orleans itself measures
/// them (its <c>orleans-messaging-sent-messages-size</c> and <c>orleans-messaging-received-messages-size</c>
/// instruments: every message written to or read from a socket, headers and payload; calls inside one process are not
/// counted). A data owner's process reports them so anyone can check that what left it was model updates, not its data.
/// </summary>
public sealed class WireTraffic : IDisposable
{
    private const string Sent = "orleans-messaging-sent-messages-size", Received = "orleans-messaging-received-messages-size";
    private readonly MeterListener _listener = new();
    private long _sent, _received;

    /// <summary>Starts counting; messages before this are not counted.</summary>
    public WireTraffic()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && instrument.Name is Sent or Received)
                listener.EnableMeasurementEvents(instrument);
        };
        // Orleans records the sizes as int; long as well in case a later version widens them.
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.Start();
    }

    /// <summary>Bytes of messages this process wrote to its connections since it started counting.</summary>
    public long BytesSent => Interlocked.Read(ref _sent);

    /// <summary>Bytes of messages this process read from its connections since it started counting.</summary>
    public long BytesReceived => Interlocked.Read(ref _received);

    private void Add(Instrument instrument, long bytes)
    {
        if (instrument.Name == Sent)
            Interlocked.Add(ref _sent, bytes);
        else
            Interlocked.Add(ref _received, bytes);
    }

    public void Dispose() => _listener.Dispose();
}
