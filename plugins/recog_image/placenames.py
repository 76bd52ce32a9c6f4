"""German town and street names for synthetic handwriting (umlauts, ß, hyphens, multi-word names).

Written for this project from general knowledge of German geography; plain facts, no data set copied.
"""

from __future__ import annotations

__all__ = ["TOWNS", "STREETS", "PLACE_NAMES"]

TOWNS: tuple[str, ...] = (
    "Aachen", "Aalen", "Altötting", "Amberg", "Annaberg-Buchholz", "Ansbach", "Apolda", "Aschaffenburg",
    "Augsburg", "Aue-Bad Schlema", "Backnang", "Bad Doberan", "Bad Dürkheim", "Bad Hersfeld", "Bad Kissingen",
    "Bad Kreuznach", "Bad Mergentheim", "Bad Oeynhausen", "Bad Säckingen", "Bad Tölz", "Baden-Baden", "Bamberg",
    "Bautzen", "Bayreuth", "Bergisch Gladbach", "Berlin", "Bernau", "Biberach an der Riß", "Bielefeld",
    "Bietigheim-Bissingen", "Bingen am Rhein", "Bitterfeld-Wolfen", "Blaubeuren", "Böblingen", "Bochum", "Bonn",
    "Borna", "Bottrop", "Brandenburg an der Havel", "Braunschweig", "Bremen", "Bremerhaven", "Bruchsal",
    "Büdingen", "Bückeburg", "Büsum", "Celle", "Chemnitz", "Coburg", "Cottbus", "Cuxhaven", "Dachau",
    "Darmstadt", "Deggendorf", "Delitzsch", "Dessau-Roßlau", "Detmold", "Dinkelsbühl", "Döbeln", "Donaueschingen",
    "Dortmund", "Dresden", "Duderstadt", "Duisburg", "Düren", "Düsseldorf", "Eberswalde", "Eichstätt",
    "Eilenburg", "Eisenach", "Eisenhüttenstadt", "Emden", "Erfurt", "Erlangen", "Eschwege", "Essen", "Esslingen",
    "Eutin", "Flensburg", "Forchheim", "Frankfurt am Main", "Frankfurt (Oder)", "Freiberg", "Freiburg im Breisgau",
    "Freising", "Friedrichshafen", "Fulda", "Fürstenfeldbruck", "Fürth", "Füssen", "Garmisch-Partenkirchen",
    "Gelsenkirchen", "Gera", "Gießen", "Glauchau", "Görlitz", "Goslar", "Gotha", "Göttingen", "Greifswald",
    "Grimma", "Großenhain", "Groß-Gerau", "Güstrow", "Gütersloh", "Halberstadt", "Halle (Saale)", "Hamburg",
    "Hameln", "Hamm", "Hanau", "Hannover", "Heidelberg", "Heilbronn", "Herrnhut", "Hildesheim", "Hof", "Hoyerswerda",
    "Husum", "Idar-Oberstein", "Ilmenau", "Ingolstadt", "Iserlohn", "Jena", "Jüterbog", "Kaiserslautern",
    "Kamenz", "Karlsruhe", "Kassel", "Kaufbeuren", "Kempten (Allgäu)", "Kiel", "Kitzingen", "Koblenz", "Köln",
    "Königs Wusterhausen", "Königsbrück", "Königshain", "Königstein", "Konstanz", "Köthen", "Krefeld", "Kronach",
    "Kühlungsborn", "Künzelsau", "Landau in der Pfalz", "Landsberg am Lech", "Landshut", "Leipzig", "Lörrach",
    "Löbau", "Lübbenau", "Lübeck", "Lüdenscheid", "Ludwigsburg", "Ludwigshafen am Rhein", "Lüneburg",
    "Magdeburg", "Mainz", "Mannheim", "Marburg", "Markkleeberg", "Meißen", "Memmingen", "Merseburg", "Minden",
    "Mittweida", "Mönchengladbach", "Mühlhausen", "Mülheim an der Ruhr", "München", "Münster", "Naumburg",
    "Neubrandenburg", "Neumünster", "Neuruppin", "Neuss", "Nördlingen", "Nordhausen", "Nürnberg", "Nürtingen",
    "Oberhausen", "Offenbach am Main", "Offenburg", "Oldenburg", "Oranienburg", "Osnabrück", "Paderborn",
    "Passau", "Pforzheim", "Pirna", "Plauen", "Potsdam", "Quedlinburg", "Radebeul", "Rathenow", "Ravensburg",
    "Recklinghausen", "Regensburg", "Reutlingen", "Riesa", "Rosenheim", "Rostock", "Rothenburg ob der Tauber",
    "Rüdesheim am Rhein", "Rüsselsheim", "Saalfeld", "Saarbrücken", "Saarlouis", "Salzgitter", "Schleswig",
    "Schwäbisch Gmünd", "Schwäbisch Hall", "Schweinfurt", "Schwerin", "Sebnitz", "Siegen", "Sömmerda",
    "Sonneberg", "Speyer", "Stade", "Stendal", "Stralsund", "Straubing", "Stuttgart", "Suhl", "Tübingen",
    "Torgau", "Traunstein", "Trier", "Überlingen", "Uelzen", "Ulm", "Völklingen", "Waldshut-Tiengen",
    "Weiden in der Oberpfalz", "Weimar", "Weißenfels", "Weißwasser", "Wernigerode", "Wetzlar", "Wiesbaden",
    "Wilhelmshaven", "Wismar", "Wittenberg", "Wolfsburg", "Worms", "Wuppertal", "Würzburg", "Wurzen", "Zeitz",
    "Zittau", "Zweibrücken", "Zwickau", "Zülpich",
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße", "Bergstraße", "Birkenweg",
    "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Mühlenweg", "Wiesenweg", "Schillerstraße",
    "Goethestraße", "Am Sportplatz", "Am Mühlbach", "An der Kirche", "Auf dem Hügel", "Friedhofstraße",
    "Jahnstraße", "Rosenstraße", "Lessingstraße", "Feldstraße", "Blumenstraße", "Poststraße", "Parkstraße",
    "Industriestraße", "Beethovenstraße", "Amselweg", "Finkenweg", "Drosselgasse", "Königsallee", "Marktplatz",
    "Am Markt", "Kurfürstendamm", "Unter den Linden", "Frauenstraße", "Brückenstraße", "Schloßstraße",
    "Fährstraße", "Großer Burstah", "Kleine Gasse", "Weißer Weg", "Grüner Weg", "Kastanienallee", "Eichendorffweg",
    "Straße der Einheit", "Rathausplatz", "Am Hafen", "Hafenstraße", "Zur Mühle", "Ölmühlenweg", "Försterweg",
    "Jägerstraße", "Fischerstraße", "Böttcherstraße", "Gerberstraße", "Töpferstraße", "Schmiedegasse",
    "Glockengießerwall", "Mönckebergstraße", "Neumarkt", "Altmarkt", "Prager Straße", "Leipziger Straße",
    "Dresdner Straße", "Münchner Freiheit", "Berliner Allee", "Hamburger Chaussee", "Kölner Ring",
    "Karl-Marx-Allee", "Friedrich-Ebert-Straße", "Konrad-Adenauer-Ring", "Willy-Brandt-Platz", "Von-Müller-Weg",
    "Geschwister-Scholl-Straße", "Otto-Hahn-Straße", "Albert-Schweitzer-Straße", "Käthe-Kollwitz-Ufer",
    "Rudolf-Breitscheid-Straße", "Heinrich-Heine-Allee", "Bürgerwiese", "Großenhainer Straße", "Löbtauer Straße",
    "Äußere Neustadt", "Übigauer Weg", "Ölbergstraße", "Südstraße", "Nördliche Ringstraße", "Am Anger",
    "Hinter den Höfen", "Über der Aue", "Weißdornweg", "Fließgraben", "Maßmannstraße", "Spreeufer",
    "Elbuferweg", "Auf der Höhe", "Im Grund", "Stöckachstraße", "Gänsemarkt", "Süßer Winkel",
)  # fmt: skip

PLACE_NAMES: tuple[str, ...] = TOWNS + STREETS
