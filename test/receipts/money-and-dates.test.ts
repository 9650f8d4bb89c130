import { describe, expect, it } from "vitest";
import { parseDate } from "../../src/receipts/dates";
import { findMoney, parseNumber } from "../../src/receipts/money";

describe("amounts as senders write them", () => {
  it.each([
    ["1,234.56", 1234.56],
    ["1.234,56", 1234.56],
    ["1 234,56", 1234.56],
    ["12,99", 12.99],
    ["12.5", 12.5],
    ["1,249", 1249],
    ["7", 7],
  ])("%s is %d", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it("reads the currency from a symbol or code on either side, and the sign", () => {
    expect(findMoney("Total charged $28.07").map((m) => [m.amount, m.currency])).toEqual([[28.07, "USD"]]);
    expect(findMoney("Gesamtbetrag 1.280,80 €").map((m) => [m.amount, m.currency])).toEqual([[1280.8, "EUR"]]);
    expect(findMoney("Totaal € 18,75").map((m) => [m.amount, m.currency])).toEqual([[18.75, "EUR"]]);
    expect(findMoney("Delivery £3.95, discount -£0.50").map((m) => m.amount)).toEqual([3.95, -0.5]);
    expect(findMoney("Total 44.15 USD").map((m) => [m.amount, m.currency])).toEqual([[44.15, "USD"]]);
  });

  it("does not read a quantity before a price as an amount", () => {
    expect(findMoney("Qty: 2\t£5.50").map((m) => m.amount)).toEqual([5.5]);
  });

  it("does not read another dollar (CA$) as USD", () => {
    expect(findMoney("Total CA$12.00")).toEqual([]);
  });
});

describe("dates", () => {
  it.each([
    ["Placed on March 3, 2026", false, "2026-03-03"],
    ["Order date 28 January 2026", true, "2026-01-28"],
    ["Bestelldatum: 21.02.2026", true, "2026-02-21"],
    ["Date de commande : 9 mars 2026", true, "2026-03-09"],
    ["Order Date: 03/18/2026", false, "2026-03-18"],
    ["Fecha: 12/02/2026", true, "2026-02-12"],
    ["Datum: 16. März 2026", true, "2026-03-16"],
    ["2026-04-01T09:00:00Z", false, "2026-04-01"],
  ])("%s", (text, dayFirst, date) => {
    expect(parseDate(text, dayFirst)).toBe(date);
  });

  it("rejects impossible dates", () => {
    expect(parseDate("31/02/2026", true)).toBeNull();
  });
});
