/**
 * The food and supplement catalog every purchase is matched to. Food names and forms follow USDA FoodData Central's
 * descriptions (https://fdc.nal.usda.gov, public domain under CC0 1.0); supplement names follow the ingredient names
 * of NIH's Dietary Supplement Label Database (https://dsld.od.nih.gov, a U.S. Government work) and the NIH Office
 * of Dietary Supplements fact sheets. The entries are curated by hand from those sources' names (not a bulk copy),
 * with the synonyms and shop spellings receipts use, in English and the shop languages the parser reads.
 *
 * One line per entry: `id | canonical name | form | typical units | synonyms`, lists separated by `,`.
 */

export type CatalogKind = "food" | "supplement";
export type CatalogSeedEntry = { id: string; kind: CatalogKind; name: string; form: string; units: string[]; synonyms: string[]; source: string };

const FOODS = `
banana | Bananas, raw | fresh fruit | each, lb, kg | banana, organic bananas, bananen, plátanos
apple | Apples, raw | fresh fruit | each, lb, kg | apple, honeycrisp, gala apples, fuji apples, granny smith, äpfel, pommes, manzanas, mele, appels
orange | Oranges, raw | fresh fruit | each, lb, kg | orange, navel oranges, clementines, mandarins
lemon | Lemons, raw | fresh fruit | each | lemon, citrons
lime | Limes, raw | fresh fruit | each | lime
strawberry | Strawberries, raw | fresh fruit | oz, lb, g | strawberries, strawberry, fraises, erdbeeren
blueberry | Blueberries, raw | fresh fruit | oz, pint, g | blueberries, blueberry, myrtilles, heidelbeeren
raspberry | Raspberries, raw | fresh fruit | oz, g | raspberries, framboises, himbeeren
grape | Grapes, raw | fresh fruit | lb, kg | grapes, red grapes, green grapes, raisins frais
pear | Pears, raw | fresh fruit | each, lb | pear, birnen, poires
peach | Peaches, raw | fresh fruit | each, lb | peach, nectarines
mango | Mangos, raw | fresh fruit | each | mango, mangoes
pineapple | Pineapple, raw | fresh fruit | each | pineapple, ananas
watermelon | Watermelon, raw | fresh fruit | each, lb | watermelon, melon
kiwi | Kiwifruit, green, raw | fresh fruit | each | kiwi, kiwis, kiwifruit
avocado | Avocados, raw | fresh fruit | each | avocado, avocados, hass avocado, aguacate
cherry | Cherries, sweet, raw | fresh fruit | lb, g | cherries, kirschen, cerises
date | Dates, medjool | dried fruit | oz, lb, g | medjool dates, dates, datteln, dattes
raisin | Raisins, seedless | dried fruit | oz, g | raisins, sultanas, rosinen
cranberry-dried | Cranberries, dried, sweetened | dried fruit | oz, g | dried cranberries, craisins
tomato | Tomatoes, red, ripe, raw | fresh vegetable | each, lb, kg | tomato, tomatoes, roma tomatoes, cherry tomatoes, tomates, pomodori
potato | Potatoes, raw | fresh vegetable | lb, kg | potato, potatoes, russet potatoes, kartoffeln, pommes de terre, patatas
sweet-potato | Sweet potatoes, raw | fresh vegetable | lb, kg | sweet potato, sweet potatoes, yams, süßkartoffeln, patates douces
onion | Onions, raw | fresh vegetable | each, lb | onion, onions, yellow onions, red onion, zwiebeln, oignons, cebollas
garlic | Garlic, raw | fresh vegetable | each, head | garlic, knoblauch, ail, ajo
carrot | Carrots, raw | fresh vegetable | lb, kg | carrot, carrots, org carrots, karotten, möhren, carottes, zanahorias
broccoli | Broccoli, raw | fresh vegetable | each, lb | broccoli, broccoli crowns, brokkoli, brocoli
cauliflower | Cauliflower, raw | fresh vegetable | each | cauliflower, blumenkohl, chou-fleur
spinach | Spinach, raw | fresh vegetable | oz, g | spinach, baby spinach, spinat, épinards, espinacas
kale | Kale, raw | fresh vegetable | bunch, oz | kale, lacinato kale, grünkohl
lettuce | Lettuce, romaine, raw | fresh vegetable | each, head | lettuce, romaine, salad greens, mixed greens, spring mix, salat
cucumber | Cucumber, with peel, raw | fresh vegetable | each | cucumber, cucumbers, gurke, concombre
bell-pepper | Peppers, sweet, raw | fresh vegetable | each, lb | bell pepper, red pepper, paprika (vegetable), poivron
zucchini | Squash, summer, zucchini, raw | fresh vegetable | each, lb | zucchini, courgette, courgettes, zucchini squash
mushroom | Mushrooms, white, raw | fresh vegetable | oz, g | mushrooms, cremini, champignons, pilze
celery | Celery, raw | fresh vegetable | bunch | celery, sellerie, céleri
cabbage | Cabbage, raw | fresh vegetable | each | cabbage, kohl, chou
corn | Corn, sweet, yellow, raw | fresh vegetable | each, ear | corn, sweet corn, corn on the cob, mais
peas | Peas, green, frozen | frozen vegetable | oz, g | peas, green peas, frozen peas, erbsen, petits pois
green-beans | Beans, snap, green, raw | fresh vegetable | lb, g | green beans, haricots verts, bohnen grün
ginger | Ginger root, raw | fresh vegetable | oz, g | ginger, ginger root, ingwer, gingembre
vegetable-basket | Vegetables, mixed, fresh | fresh vegetable | box, basket | vegetable box, veggie box, produce box, gemüsekiste
milk | Milk, whole, 3.25% milkfat | dairy | gal, qt, l, pint | whole milk, milk, vollmilch, lait entier, leche entera, latte intero, semi-skimmed milk, skim milk, 2% milk, melk
oat-milk | Oat milk | plant-based drink | fl oz, l | oat milk, oatmilk, oat drink, haferdrink, boisson à l'avoine
almond-milk | Almond milk, unsweetened | plant-based drink | fl oz, l | almond milk, almond drink, mandeldrink
soy-milk | Soymilk, original | plant-based drink | fl oz, l | soy milk, soymilk, sojadrink
yogurt-greek | Yogurt, Greek, plain, whole milk | dairy | oz, g | greek yogurt, greek yoghurt, griechischer joghurt, skyr
yogurt | Yogurt, plain, whole milk | dairy | oz, g | yogurt, yoghurt, joghurt, yaourt, yogur
kefir | Kefir, plain | dairy | fl oz, l | kefir
butter | Butter, salted | dairy | oz, lb, g | butter, beurre, mantequilla, burro, unsalted butter
cream | Cream, fluid, heavy whipping | dairy | fl oz, ml | heavy cream, whipping cream, sahne, crème liquide
creme-fraiche | Crème fraîche | dairy | oz, cl, g | crème fraîche, creme fraiche, schmand
sour-cream | Sour cream, regular | dairy | oz, g | sour cream, saure sahne
cheddar | Cheese, cheddar | cheese | oz, g | cheddar, sharp cheddar, mature cheddar, white cheddar
mozzarella | Cheese, mozzarella, whole milk | cheese | oz, g | mozzarella, fresh mozzarella
parmesan | Cheese, parmesan, hard | cheese | oz, g | parmesan, parmigiano reggiano, grana padano
feta | Cheese, feta | cheese | oz, g | feta
alpine-cheese | Cheese, Swiss (alpine hard cheese) | cheese | oz, g | bergkäse, gruyère, emmental, swiss cheese, comté
manchego | Cheese, manchego | cheese | oz, g | manchego, queso manchego
cottage-cheese | Cheese, cottage, lowfat | cheese | oz, g | cottage cheese, hüttenkäse
eggs | Egg, whole, raw, fresh | eggs | each, dozen, ct | eggs, large eggs, brown eggs, eier, œufs, oeufs, huevos, uova, eieren
bread-whole-wheat | Bread, whole-wheat | bread | loaf, g | whole wheat bread, wholemeal bread, vollkornbrot, pain complet
bread-sourdough | Bread, sourdough | bread | loaf | sourdough, sourdough loaf, sauerteigbrot, pain au levain
bread-rye | Bread, rye | bread | loaf | rye bread, roggenbrot
bread-white | Bread, white, commercially prepared | bread | loaf | white bread, sandwich bread, toast
baguette | Bread, French or Vienna (baguette) | bread | each | baguette, french bread
bagel | Bagels, plain | bread | each | bagels, bagel
tortilla | Tortillas, flour | bread | each, pack | tortillas, wraps, flour tortillas
croissant | Croissants, butter | bakery | each | croissant, croissants
muffin | Muffins, blueberry | bakery | each | muffin, muffins
crumpet | Crumpets | bakery | each, pack | crumpets, sourdough crumpets
banana-bread | Banana bread | bakery | slice, loaf | banana bread
oats | Oats, rolled, old fashioned | grain | oz, lb, g, kg | rolled oats, oats, oatmeal, porridge oats, haferflocken, flocons d'avoine, havermout, copos de avena
granola | Granola cereal | cereal | oz, g | granola, muesli, müsli
cereal | Cereals ready-to-eat | cereal | oz, g | cereal, corn flakes, bran flakes
rice-white | Rice, white, long-grain | grain | lb, kg | white rice, basmati rice, jasmine rice, reis, riz, arroz, riso
rice-brown | Rice, brown, long-grain | grain | lb, kg | brown rice, naturreis
quinoa | Quinoa, uncooked | grain | oz, g | quinoa
farro | Farro (emmer wheat), uncooked | grain | oz, g | farro, emmer
pasta | Pasta, dry, enriched | grain | oz, lb, g | pasta, spaghetti, penne, fusilli, nudeln, pâtes, pasta di semola
pasta-whole-wheat | Pasta, whole-wheat, dry | grain | oz, g | whole wheat pasta, pâtes complètes, vollkornnudeln
noodles | Noodles, egg or rice | grain | oz, g | noodles, rice noodles, egg noodles, ramen
flour | Wheat flour, white, all-purpose | baking | lb, kg | flour, all-purpose flour, mehl, farine, harina
sugar | Sugars, granulated | baking | lb, kg | sugar, cane sugar, zucker, sucre
honey | Honey | sweetener | oz, g | honey, raw honey, honig, miel, miele
maple-syrup | Syrups, maple | sweetener | fl oz, ml | maple syrup, sirop d'érable
jam | Jams and preserves | spread | oz, g | jam, preserves, confiture, marmelade, konfitüre
peanut-butter | Peanut butter, smooth style | nut butter | oz, g | peanut butter, crunchy peanut butter, erdnussbutter, pindakaas, beurre de cacahuète
almond-butter | Almond butter, plain | nut butter | oz, g | almond butter, mandelmus
tahini | Seeds, sesame butter, tahini | nut butter | oz, g | tahini, tahina
hummus | Hummus, commercial | spread | oz, g | hummus
olive-oil | Oil, olive, extra virgin | oil | fl oz, ml, l | olive oil, extra virgin olive oil, olivenöl, huile d'olive, aceite de oliva, olio extravergine
avocado-oil | Oil, avocado | oil | fl oz, ml | avocado oil
coconut-oil | Oil, coconut | oil | oz, ml | coconut oil, kokosöl
vinegar | Vinegar, cider or wine | condiment | fl oz, ml | vinegar, apple cider vinegar, balsamic vinegar, essig
salt | Salt, table or sea | condiment | oz, g | salt, sea salt, flaky salt, meersalz, sel
black-pepper | Spices, pepper, black | spice | oz, g | black pepper, peppercorns, pfeffer, poivre
paprika | Spices, paprika, smoked | spice | oz, g | smoked paprika, paprika, pimentón
cinnamon | Spices, cinnamon, ground or sticks | spice | oz, g | cinnamon, ceylon cinnamon, zimt, cannelle
turmeric-spice | Spices, turmeric, ground | spice | oz, g | ground turmeric, kurkuma gemahlen
ketchup | Catsup | condiment | oz | ketchup
mustard | Mustard, prepared, yellow | condiment | oz | mustard, dijon, senf, moutarde
mayonnaise | Mayonnaise, regular | condiment | oz | mayonnaise, mayo
salsa | Salsa, ready-to-serve | condiment | oz | salsa, guacamole
tomato-sauce | Tomato products, canned, sauce or passata | canned | oz, g | tomato sauce, passata, marinara, crushed tomatoes
pickles | Pickles, cucumber, dill | condiment | oz | pickles, jalapeños, pickled jalapeños, gherkins
soy-sauce | Soy sauce | condiment | fl oz | soy sauce, tamari
soup | Soup, canned or fresh | prepared | oz | soup, broth, stock, bone broth
beans-black | Beans, black, canned | legume | oz, can | black beans, canned beans, kidney beans, pinto beans, bohnen
chickpeas | Chickpeas (garbanzo beans), canned | legume | oz, can | chickpeas, garbanzo beans, kichererbsen
lentils | Lentils, dry | legume | lb, g | lentils, red lentils, linsen, lentilles
tofu | Tofu, firm | soy | oz, g | tofu, firm tofu
tempeh | Tempeh | soy | oz, g | tempeh
chicken-breast | Chicken, broilers or fryers, breast, meat only, raw | poultry | lb, kg | chicken breast, chicken breast boneless, boneless chicken, hähnchenbrust, blanc de poulet
chicken-thigh | Chicken, thigh, raw | poultry | lb | chicken thighs, chicken thigh
turkey | Turkey, ground, raw | poultry | lb | ground turkey, turkey breast, turkey
beef-ground | Beef, ground, 85% lean | meat | lb | ground beef, minced beef, hackfleisch
steak | Beef, steak, raw | meat | lb | steak, sirloin, ribeye
pork | Pork, loin, raw | meat | lb | pork, pork chops, pork loin
bacon | Pork, cured, bacon | meat | oz | bacon, speck
ham | Ham, sliced | meat | oz | ham, schinken, jambon
sausage | Sausage, pork or chicken | meat | oz, lb | sausage, sausages, bratwurst, wurst
salmon | Fish, salmon, Atlantic, raw | fish | lb, oz | salmon, salmon fillet, lachs, saumon
smoked-salmon | Fish, salmon, smoked | fish | oz, g | smoked salmon, räucherlachs, saumon fumé, lox
tuna | Fish, tuna, light, canned in water | fish | oz, can | tuna, canned tuna, thunfisch, thon
cod | Fish, cod, Atlantic, raw | fish | lb | cod, kabeljau, cabillaud
shrimp | Crustaceans, shrimp, raw | seafood | lb | shrimp, prawns, garnelen, crevettes
sardines | Fish, sardine, canned in oil | fish | oz, can | sardines
almonds | Nuts, almonds | nuts | oz, lb, g | almonds, raw almonds, mandeln, amandes
dark-chocolate-almonds | Almonds, chocolate coated | confectionery | oz | dark chocolate almonds
walnuts | Nuts, walnuts, English | nuts | oz, g | walnuts, walnüsse, noix
cashews | Nuts, cashew nuts, raw | nuts | oz, lb | cashews, raw cashews, cashewkerne
pecans | Nuts, pecans | nuts | oz | pecans
pistachios | Nuts, pistachio nuts | nuts | oz | pistachios, pistazien
peanuts | Peanuts, all types | nuts | oz | peanuts, erdnüsse
chia-seeds | Seeds, chia seeds, dried | seeds | oz, g | chia seeds, chia, chiasamen
flaxseed | Seeds, flaxseed | seeds | oz, g | flaxseed, flax seeds, ground flaxseed, leinsamen
hemp-seeds | Seeds, hemp seed, hulled | seeds | oz, g | hemp hearts, hemp seeds, hanfsamen
pumpkin-seeds | Seeds, pumpkin and squash seed kernels | seeds | oz, g | pumpkin seeds, pepitas, kürbiskerne
sunflower-seeds | Seeds, sunflower seed kernels | seeds | oz, g | sunflower seeds, sonnenblumenkerne
dark-chocolate | Chocolate, dark, 70-85% cacao solids | confectionery | oz, g | dark chocolate, chocolate bar, schokolade, chocolat noir
cookies | Cookies, assorted | snack | oz, pack | cookies, biscuits, kekse
crackers | Crackers, whole-wheat | snack | oz | crackers
chips | Snacks, potato chips | snack | oz | chips, potato chips, crisps, tortilla chips
popcorn | Snacks, popcorn, air-popped | snack | oz | popcorn
protein-bar | Snacks, protein bar | snack | each, box | protein bar, protein bars
granola-bar | Snacks, granola bars | snack | each, box | granola bar, granola bars, cereal bar, müsliriegel
coffee-beans | Coffee, roasted beans or ground | coffee | oz, lb, g, kg | coffee, coffee beans, whole bean coffee, ground coffee, espresso beans, espressobohnen, decaf, kaffee, café, caffè, koffie
cold-brew | Coffee, brewed, cold brew concentrate | coffee | fl oz | cold brew, cold brew concentrate
latte | Coffee, latte (milk or plant milk) | prepared drink | cup | latte, cappuccino, flat white
tea-black | Tea, black, brewed | tea | bags, g | black tea, tea bags, schwarzer tee, earl grey, english breakfast
tea-green | Tea, green, brewed | tea | bags, g | green tea, groene thee, thé vert, grüner tee, sencha, matcha
herbal-tea | Tea, herbal | tea | bags | herbal tea, chamomile, peppermint tea, kräutertee, tisane
juice-orange | Orange juice | juice | fl oz, l | orange juice, oj, orangensaft, jus d'orange
juice-apple | Apple juice | juice | fl oz, l | apple juice, apfelsaft, jus de pomme
green-juice | Vegetable juice, green, cold-pressed | juice | fl oz | green juice, cold pressed juice
kombucha | Kombucha | fermented drink | fl oz | kombucha
sparkling-water | Water, carbonated (sparkling, mineral) | water | fl oz, l, pack | sparkling water, mineral water, seltzer, mineralwasser, eau gazeuse
water | Water, bottled, still | water | fl oz, l, pack | bottled water, spring water, still water
agua-fresca | Beverages, agua fresca | prepared drink | cup | agua fresca
soda | Carbonated beverage, cola | soft drink | fl oz, can | soda, cola, soft drink
wine | Alcoholic beverage, wine, table | alcohol | ml, bottle | wine, red wine, white wine, wein, vin
beer | Alcoholic beverage, beer, regular | alcohol | fl oz, can, pack | beer, bier, bière
ice-cream | Ice creams, vanilla | frozen dessert | pint, oz | ice cream, gelato, eis
frozen-pizza | Pizza, frozen | frozen meal | each | frozen pizza, pizza
burrito-bowl | Burrito bowl, chicken | restaurant meal | each | burrito bowl, burrito
meal-kit | Meal kit, prepared ingredients | meal kit | servings | meal kit, recipe kit
sandwich | Sandwich, prepared | restaurant meal | each | sandwich, wrap sandwich
salad-prepared | Salad, prepared | restaurant meal | each | salad bowl, prepared salad
sushi | Sushi, assorted | restaurant meal | each, pack | sushi, maki
kimchi | Kimchi | fermented food | oz, g | kimchi, sauerkraut
olives | Olives, ripe or green | condiment | oz, g | olives, kalamata olives, oliven
coconut | Coconut meat, dried or fresh | fruit | oz | coconut, shredded coconut
creamer | Coffee creamer, plant-based | dairy alternative | fl oz | creamer, oat creamer, coffee creamer
`;

const SUPPLEMENTS = `
multivitamin | Multivitamin/multimineral | tablet | tablets, capsules, gummies | multivitamin, multi-vitamin, daily multivitamin, men's multivitamin, multi
vitamin-d3 | Vitamin D3 (cholecalciferol) | softgel | softgels, IU, mcg | vitamin d3, vitamin d, d3, cholecalciferol
vitamin-d3-k2 | Vitamin D3 + Vitamin K2 (menaquinone-7) | softgel | softgels, drops | vitamin d3 + k2, d3 k2, vitamin d3 k2, d3/k2
vitamin-c | Vitamin C (ascorbic acid) | tablet | tablets, mg | vitamin c, ascorbic acid
vitamin-b12 | Vitamin B12 (methylcobalamin or cyanocobalamin) | lozenge | lozenges, mcg | vitamin b12, b12, methylcobalamin, cyanocobalamin
b-complex | Vitamin B complex | capsule | capsules | b complex, b-complex, vitamin b complex
folate | Folate (methylfolate / folic acid) | capsule | capsules, mcg DFE | folate, methylfolate, folic acid
biotin | Biotin | capsule | capsules, mcg | biotin
vitamin-e | Vitamin E (d-alpha tocopherol) | softgel | softgels, IU | vitamin e
vitamin-a | Vitamin A (retinyl palmitate / beta-carotene) | softgel | softgels, IU | vitamin a, beta carotene
vitamin-k2 | Vitamin K2 (menaquinone-7) | capsule | capsules, mcg | vitamin k2, mk-7, k2
magnesium-glycinate | Magnesium (as magnesium glycinate / bisglycinate) | capsule | capsules, mg | magnesium glycinate, magnesium bisglycinate, magnesium
magnesium-citrate | Magnesium (as magnesium citrate) | capsule | capsules, powder, mg | magnesium citrate, magnesiumcitrat, citrate de magnésium
zinc | Zinc (as zinc picolinate / gluconate) | capsule | capsules, lozenges, mg | zinc, zinc picolinate, zinc gluconate, zink
iron | Iron (as ferrous bisglycinate) | capsule | capsules, mg | iron, ferrous bisglycinate, eisen
calcium | Calcium (as calcium citrate / carbonate) | tablet | tablets, mg | calcium, calcium citrate, calcium carbonate
potassium | Potassium (as potassium citrate) | capsule | capsules, mg | potassium
selenium | Selenium (as selenomethionine) | capsule | capsules, mcg | selenium, selen
iodine | Iodine (as potassium iodide / kelp) | tablet | tablets, mcg | iodine, kelp
fish-oil | Fish oil (EPA and DHA omega-3 fatty acids) | softgel | softgels, mg | fish oil, omega-3, omega 3, epa dha
krill-oil | Krill oil | softgel | softgels | krill oil
algal-omega-3 | Algal oil (DHA, EPA) | softgel | softgels | vegan omega-3, algae oil, algal oil, dha
cod-liver-oil | Cod liver oil | liquid | ml, softgels | cod liver oil, lebertran
probiotic | Probiotic blend (Lactobacillus, Bifidobacterium) | capsule | capsules, CFU | probiotic, probiotics, lactobacillus, acidophilus
prebiotic-fiber | Prebiotic fiber (inulin) | powder | g | prebiotic, inulin, prebiotic fiber
psyllium | Psyllium husk | powder | g, capsules | psyllium, psyllium husk, flohsamenschalen, fiber supplement
digestive-enzymes | Digestive enzymes blend | capsule | capsules | digestive enzymes, enzymes
whey-protein | Whey protein isolate | powder | g, kg, lb, servings | whey protein, whey protein isolate, whey, protein powder
plant-protein | Plant protein (pea / rice) | powder | g, kg, servings | plant protein, pea protein, vegan protein
casein | Casein protein | powder | g, kg | casein, micellar casein
collagen | Collagen peptides (hydrolyzed collagen) | powder | g, servings | collagen, collagen peptides, kollagen
creatine | Creatine monohydrate | powder | g, servings | creatine, creatine monohydrate, kreatin, créatine
bcaa | Branched-chain amino acids (leucine, isoleucine, valine) | powder | g, servings | bcaa, bcaas, amino acids
glutamine | L-Glutamine | powder | g | glutamine, l-glutamine
electrolytes | Electrolytes (sodium, potassium, magnesium) | tablet | tablets, sticks | electrolytes, electrolyte tablets, electrolyte powder, hydration mix
pre-workout | Pre-workout blend (caffeine, beta-alanine) | powder | g, servings | pre-workout, preworkout
melatonin | Melatonin | tablet | tablets, gummies, mg | melatonin
ashwagandha | Ashwagandha root extract (Withania somnifera) | capsule | capsules, mg | ashwagandha, ksm-66
rhodiola | Rhodiola rosea root extract | capsule | capsules | rhodiola
turmeric-curcumin | Turmeric root extract (curcumin) | capsule | capsules, mg | turmeric curcumin, curcumin, turmeric, turmeric supplement
elderberry | Elderberry (Sambucus nigra) extract | gummy | gummies, syrup | elderberry, elderberry gummies, sambucus, holunder
echinacea | Echinacea | capsule | capsules | echinacea
ginseng | Ginseng (Panax) root extract | capsule | capsules | ginseng
maca | Maca root (Lepidium meyenii) | powder | g, capsules | maca
spirulina | Spirulina | tablet | tablets, powder | spirulina
chlorella | Chlorella | tablet | tablets | chlorella
greens-powder | Greens powder blend | powder | g, servings | greens powder, super greens, green superfood
coq10 | Coenzyme Q10 (ubiquinone / ubiquinol) | softgel | softgels, mg | coq10, coenzyme q10, ubiquinol
glucosamine | Glucosamine sulfate (with chondroitin) | tablet | tablets | glucosamine, glucosamine chondroitin, chondroitin
msm | Methylsulfonylmethane (MSM) | capsule | capsules | msm
lions-mane | Lion's mane mushroom (Hericium erinaceus) | capsule | capsules, powder | lion's mane, lions mane
reishi | Reishi mushroom (Ganoderma lucidum) | capsule | capsules | reishi
milk-thistle | Milk thistle (silymarin) | capsule | capsules | milk thistle, silymarin, mariendistel
berberine | Berberine HCl | capsule | capsules | berberine
nac | N-Acetyl L-Cysteine (NAC) | capsule | capsules | nac, n-acetyl cysteine
quercetin | Quercetin | capsule | capsules | quercetin
l-theanine | L-Theanine | capsule | capsules | l-theanine, theanine
five-htp | 5-Hydroxytryptophan (5-HTP) | capsule | capsules | 5-htp
gaba | Gamma-aminobutyric acid (GABA) | capsule | capsules | gaba
valerian | Valerian root | capsule | capsules | valerian, baldrian
lutein | Lutein and zeaxanthin | softgel | softgels | lutein, zeaxanthin
saw-palmetto | Saw palmetto berry extract | softgel | softgels | saw palmetto
inositol | Myo-inositol | powder | g | inositol, myo-inositol
vitamin-gummies | Gummy vitamins (assorted) | gummy | gummies | gummy vitamins, vitamin gummies
meal-replacement | Meal replacement shake | powder | servings | meal replacement, meal replacement shake
`;

function parse(block: string, kind: CatalogKind, source: string): CatalogSeedEntry[] {
  return block
    .trim()
    .split("\n")
    .map((line) => {
      const [id, name, form, units, synonyms] = line.split("|").map((part) => part.trim());
      return {
        id: id!,
        kind,
        name: name!,
        form: form!,
        units: units!.split(",").map((u) => u.trim()),
        synonyms: (synonyms ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        source,
      };
    });
}

export const CATALOG_SEED: readonly CatalogSeedEntry[] = [
  ...parse(FOODS, "food", "USDA FoodData Central"),
  ...parse(SUPPLEMENTS, "supplement", "NIH Dietary Supplement Label Database"),
];
