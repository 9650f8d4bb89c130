import { describe, expect, it } from "vitest";
import { jsonLdOrders, microdataOrders } from "../../src/receipts/schema-org";

// Google's documented Order examples, JSON-LD and microdata:
// https://developers.google.com/workspace/gmail/markup/reference/order (the "Basic order" use case).
const JSON_LD = `<script type="application/ld+json">
{
  "@context": "http://schema.org",
  "@type": "Order",
  "merchant": { "@type": "Organization", "name": "Amazon.com" },
  "orderNumber": "123-4567890-1234567",
  "priceCurrency": "USD",
  "price": "29.99",
  "acceptedOffer": {
    "@type": "Offer",
    "itemOffered": { "@type": "Product", "name": "Google Chromecast" },
    "price": "29.99",
    "priceCurrency": "USD",
    "eligibleQuantity": { "@type": "QuantitativeValue", "value": "1" }
  }
}
</script>`;

const MICRODATA = `<div itemscope itemtype="http://schema.org/Order">
  <div itemprop="merchant" itemscope itemtype="http://schema.org/Organization">
    <meta itemprop="name" content="Amazon.com"/>
  </div>
  <meta itemprop="orderNumber" content="123-4567890-1234567"/>
  <meta itemprop="priceCurrency" content="USD"/>
  <meta itemprop="price" content="29.99"/>
  <div itemprop="acceptedOffer" itemscope itemtype="http://schema.org/Offer">
    <div itemprop="itemOffered" itemscope itemtype="http://schema.org/Product">
      <meta itemprop="name" content="Google Chromecast"/>
    </div>
    <meta itemprop="price" content="29.99"/>
    <meta itemprop="priceCurrency" content="USD"/>
    <div itemprop="eligibleQuantity" itemscope itemtype="http://schema.org/QuantitativeValue">
      <meta itemprop="value" content="1"/>
    </div>
  </div>
</div>`;

const expected = {
  merchant: "Amazon.com",
  orderId: "123-4567890-1234567",
  currency: "USD",
  total: 29.99,
  refund: false,
  items: [{ name: "Google Chromecast", quantity: 1, lineTotal: 29.99 }],
};

describe("schema.org Order markup", () => {
  it("reads Google's JSON-LD example", () => {
    expect(jsonLdOrders(`<html><head>${JSON_LD}</head><body>Thanks</body></html>`)).toEqual([{ ...expected, orderDate: null }]);
  });

  it("reads the same order as microdata", () => {
    expect(microdataOrders(`<html><body>${MICRODATA}</body></html>`)).toEqual([{ ...expected, orderDate: null }]);
  });

  it("ignores a JSON-LD block that is not JSON, and types other than Order/Invoice", () => {
    const html = `<script type="application/ld+json">{not json</script><script type="application/ld+json">{"@type":"EmailMessage"}</script>`;
    expect(jsonLdOrders(html)).toEqual([]);
  });
});
