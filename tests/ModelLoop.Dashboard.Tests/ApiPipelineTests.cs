using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace ModelLoop.Dashboard.Tests;

/// <summary>
/// The dashboard's login cookie runs for its own pages, not for every API call of the server it is mounted in (the API
/// authenticates by key; running the cookie handler on each predict call cost throughput). Observed through ASP.NET Core's
/// authentication meter of this host (its IMeterFactory), which records one measurement per authentication.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ApiPipelineTests(DashboardHost host)
{
    [Fact]
    public async Task An_API_call_skips_the_cookie_authentication_that_a_dashboard_page_runs()
    {
        var meters = host.App.Services.GetRequiredService<IMeterFactory>();
        long authentications = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, published) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "aspnetcore.authentication.authenticate.duration")
                    published.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref authentications));
        listener.Start();

        using (var api = host.Client(host.Acme.Key))
            (await api.GetAsync("/v1/models")).EnsureSuccessStatusCode();
        var byApi = Interlocked.Read(ref authentications);
        using var anonymous = new DashboardSession(host);
        (await anonymous.Get("/ui/login")).EnsureSuccessStatusCode();

        Assert.Equal(0, byApi);
        Assert.True(Interlocked.Read(ref authentications) > 0, "The login page ran no authentication either: the meter listener sees nothing, so the first assertion proves nothing.");
    }
}
