using ModelLoop.Federated.Hosting;

namespace ModelLoop.Federated.Tests;

public sealed class FederatedHostingTests
{
    [Fact]
    public async Task An_unreachable_coordinator_is_a_clear_error_naming_the_gateway()
    {
        // Port 9 (discard) on loopback: nothing listens there in a test environment.
        var error = await Assert.ThrowsAsync<FederatedConnectionException>(() => FederatedHosting.ConnectAsync("127.0.0.1:9", timeout: TimeSpan.FromSeconds(5)));
        Assert.Contains("127.0.0.1:9", error.Message);
        Assert.Contains("--coordinator", error.Message);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:http")]
    [InlineData("127.0.0.1:70000")]
    public async Task A_coordinator_address_that_is_not_host_and_port_is_refused(string gateway)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => FederatedHosting.ConnectAsync(gateway));
        Assert.Contains("host:port", error.Message);
    }
}
