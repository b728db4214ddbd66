using System.Net;
using ImOrleans.EdgeGateway;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

// A standalone edge node: joins the cluster as an Orleans client and serves client sockets, plus a small HTTP
// listener for its health check and metrics.
var builder = WebApplication.CreateBuilder(args);

// Defaults first, so appsettings, environment variables and the command line still override them.
var defaults = new JsonConfigurationSource { Path = Path.Combine(AppContext.BaseDirectory, "edgesettings.json"), Optional = false };
defaults.ResolveFileProvider();
builder.Configuration.Sources.Insert(0, defaults);

var http = builder.Configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new();
var problems = EdgeGatewayHosting.ValidateSettings(builder.Configuration).Concat(EdgeGatewayHosting.ValidateClusterSettings(builder.Configuration))
    .Concat(http.Validate()).ToList();
if (problems.Count > 0)
{
    Console.Error.WriteLine("Edge gateway settings are invalid:\n  " + string.Join("\n  ", problems));
    return 2;
}

builder.UseOrleansClient(client => client.UseEdgeCluster(builder.Configuration));
builder.Services.AddEdgeGateway(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenEdgeGateway(builder.Configuration);
    kestrel.Listen(IPAddress.Parse(http.ListenAddress), http.Port);
});
builder.AddImOrleansTelemetry("imorleans-edge", [ImOrleansTelemetry.EdgeMeter]);
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.MapImOrleansTelemetry();
await app.RunAsync();
return 0;
