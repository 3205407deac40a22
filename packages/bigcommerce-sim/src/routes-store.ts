/** GET /v2/store: the store's global settings (name, currency, time zone), as the Store Information API gives them. */
import { ok, type Route } from "./http";
import type { Store } from "./store";

export function storeRoutes(store: Store): Route[] {
  return [
    {
      method: "GET",
      pattern: "/v2/store",
      handler: () =>
        ok({
          id: store.options.storeHash,
          domain: `${store.options.storeHash}.example.com`,
          secure_url: `https://${store.options.storeHash}.example.com`,
          control_panel_base_url: `https://store-${store.options.storeHash}.mybigcommerce.com`,
          status: "live",
          name: "Simulated Store",
          country: "United States",
          country_code: "US",
          timezone: {
            name: "Etc/UTC",
            raw_offset: 0,
            dst_offset: 0,
            dst_correction: false,
            date_format: { display: "M jS Y", export: "M jS Y", extended_display: "M jS Y @ g:i A" },
          },
          language: "en",
          currency: "USD",
          currency_symbol: "$",
          decimal_separator: ".",
          thousands_separator: ",",
          decimal_places: 2,
          currency_symbol_location: "left",
          weight_units: "Ounces",
          dimension_units: "Inches",
          plan_name: "Standard",
          plan_level: "Standard",
          plan_is_trial: false,
        }),
    },
  ];
}
