using System.Net;
using ImOrleans.Client.Internal;

namespace ImOrleans.Client.Tests;

public sealed class EndpointListTests
{
    [Fact]
    public void The_endpoint_that_worked_last_is_tried_first()
    {
        EndPoint a = new DnsEndPoint("edge-a", 7100), b = new DnsEndPoint("edge-b", 7100), c = new DnsEndPoint("edge-c", 7100);

        Assert.Equal([a, b, c], EndpointList.Order([a, b, c], null));
        Assert.Equal([c, a, b], EndpointList.Order([a, b, c], new DnsEndPoint("edge-c", 7100)));
        Assert.Equal([a, b], EndpointList.Order([a, b], c));
    }
}
