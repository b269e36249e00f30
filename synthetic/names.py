"""Name lists and the nickname map the synthetic district draws its people from.

Lists are by broad name origin so that names go with a child's recorded ethnicity often enough to
look like a real roster. Every character is in Windows-1252 (the attendance system's encoding):
accents such as José, Zoë, Peña, Muñoz, apostrophes (O'Brien, D'Angelo) and hyphens, but no
letters like Ł or ş that Windows-1252 cannot hold. Earlier names in a list are drawn more often.
"""

from __future__ import annotations

import numpy as np

#: Name origin groups (index into the lists below).
GENERAL, HISPANIC, EAST_ASIAN, SOUTH_ASIAN, AFRICAN = range(5)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE: tuple[tuple[str, ...], ...] = (
    words(
        """Emma Olivia Ava Sophia Isabella Mia Charlotte Amelia Harper Evelyn Abigail Emily
        Elizabeth Madison Avery Ella Scarlett Grace Chloe Victoria Riley Aria Lily Aubrey Zoey
        Penelope Lillian Addison Layla Natalie Hannah Brooklyn Zoe Nora Leah Savannah Audrey
        Claire Eleanor Skylar Ellie Samantha Stella Paisley Violet Allison Alexa Anna Hazel
        Aaliyah Ariana Lucy Caroline Sarah Kennedy Sadie Gabriella Madelyn Adeline Maya Autumn
        Aurora Piper Hailey Arianna Kaylee Ruby Serenity Eva Naomi Nevaeh Alice Luna Bella Quinn
        Lydia Peyton Melanie Kylie Mackenzie Katherine Jasmine Faith Alexandra Jessica Ashley
        Jennifer Margaret Rebecca Rachel Megan Lauren Amanda Nicole Stephanie Danielle Brianna
        Destiny Imani Jada Kiara Nia Tiana Keisha Jayla Amara Zuri Ayanna Taylor Morgan Jordan
        Sydney Brooke Molly Caitlin Kathleen Bridget Siobhan Maeve Fiona Erin Colleen Shannon
        Deirdre Noelle Chloé Zoë Renée Désirée Mélanie Anaïs Béatrice Cécile Hélène Josephine
        Julia Clara Vivian Eliana Emilia Isla Willow Jacqueline Kathryn Deborah Pamela Allie
        Cora Iris Rose Ivy Juliet Daisy Phoebe Tessa Gianna Francesca Giulia Chiara Agnieszka
        Katarzyna Magdalena Anastasia Natasha Svetlana Daria Elena Irina Greta Ingrid Freya
        Astrid Sigrid Hanne Björk Margarethe""",
    ),
    words(
        """María Sofía Valentina Ximena Camila Lucía Daniela Gabriela Mariana Valeria Isabel
        Guadalupe Yesenia Esperanza Marisol Rocío Inés Ana Juana Carmen Rosa Leticia Alejandra
        Andrea Fernanda Paola Natalia Adriana Jimena Renata Luciana Catalina Angélica Verónica
        Mónica Beatriz Dulce Yaritza Yamilet Nayeli Itzel Araceli Belén Noemí Raquel Soledad
        Milagros Perla Karla Larissa Letícia Thaís Conceição Graça Fabiana Luana Giovanna Júlia
        Maria Sofia Lucia Jazmín Abril Regina Salomé Zoé Estefanía Anahí Yuliana Génesis Aitana
        Nathália Gisele Rafaela Yasmin Mirela""",
    ),
    words(
        """Mei Lin Xiao Yan Jing Hui Ying Ling Hana Yuna Ji-woo Seo-yeon Min-ji Soo-ah Yuki
        Sakura Aiko Mai Linh Thuy Ngoc Trang Anh Thao Huong Lan Xinyi Yuxin Zihan Ruoxi Haruka
        Mio Sora Chae-won Ha-eun Jia Kim-Ly Vy Nhi Khanh Quynh My Hoa Ly Tam Bich""",
    ),
    words(
        """Priya Ananya Aditi Diya Isha Kavya Meera Nisha Pooja Riya Saanvi Shreya Tara Neha
        Aarohi Anika Divya Lakshmi Sneha Tanvi Ishani Navya Sita Farhana Nusrat Tahmina Ayesha
        Sadia Roshni""",
    ),
    words(
        """Fatima Aisha Maryam Layla Noor Yasmin Amina Zainab Salma Huda Mariam Hawa Fatoumata
        Aminata Chidinma Adaeze Ngozi Abena Ama Esi Nadège Widlène Rose-Marie Guerline Mirlande
        Fabienne Natacha Ketly Hodan Faduma Ifrah Sahra Hibaq Nasra Mame Awa Kadiatou Adwoa
        Akosua Chiamaka Ifeoma Oluwaseun Temitope""",
    ),
)

MALE: tuple[tuple[str, ...], ...] = (
    words(
        """Liam Noah William James Oliver Benjamin Elijah Lucas Mason Logan Alexander Ethan
        Jacob Michael Daniel Henry Jackson Sebastian Aiden Matthew Samuel David Joseph Carter
        Owen Wyatt John Jack Luke Jayden Dylan Grayson Levi Isaac Gabriel Julian Anthony Jaxon
        Lincoln Joshua Christopher Andrew Theodore Caleb Ryan Asher Nathan Thomas Leo Isaiah
        Charles Josiah Hudson Christian Hunter Connor Eli Ezra Aaron Landon Adrian Jonathan
        Nolan Jeremiah Easton Elias Colton Cameron Carson Robert Maverick Nicholas Dominic
        Greyson Adam Ian Austin Cooper Brayden Roman Evan Ezekiel Jace Jameson Bryson Axel
        Everett Parker Miles Sawyer Jason Declan Weston Micah Wesley Luca Vincent Damian Zachary
        Silas Gavin Chase Emmett Harrison Nathaniel Kingston Cole Tyler Bennett Tristan Brandon
        Kevin George Ashton Rowan Ryder Maxwell Max Justin Calvin Jonah Abel Jasper Malachi
        Brody Jude Blake Emmanuel Eric Brooks Elliot Timothy Finn Edward August Xander Alan Dean
        Bryce Victor Milo Hayden Graham Grant Zion Tucker Jesse Joel Richard Patrick Dawson
        Myles Steven Zane Jeremy Preston Marcus Mark Peter Barrett Holden Charlie Knox Kyle
        Griffin Kenneth Beckett Arthur Felix Bryan Paul Brian Colin Simon Derek Brady Jake Louis
        Walker Sean Walter Martin Tobias Cody Stephen Killian Reid Raymond Tanner Spencer Gideon
        Travis Desmond Donovan Garrett Jeffrey Devin Conor Warren Julius Jaylen Marshall Jared
        Rory Shane Malik Reed Seth Trevor Collin Troy Malcolm Khalil Dalton Gregory Francis
        Frederick Lawrence Dante Terrence Darnell DeShawn Jamal Tyrone Andre Marquis Darius
        Sullivan Fitzgerald Ciarán Seamus Padraig Brendan Eoin Giovanni Matteo Lorenzo Enzo
        Antonio Vincenzo Salvatore Dominik Jakub Kacper Mikolaj Piotr Tomasz Nikolai Dmitri Ivan
        Mikhail Sergei Lars Anders Sören Jens Olaf Jürgen Stefan André Étienne François Rémy
        Benoît Jérôme Thierry""",
    ),
    words(
        """José Juan Luis Carlos Jesús Miguel Ángel Diego Alejandro Jorge Fernando Ricardo
        Eduardo Andrés Sebastián Matías Nicolás Santiago Emiliano Joaquín Tomás Rubén Héctor
        Raúl Ramón Óscar Iván Julián Adrián Martín Damián Cristóbal Efraín Germán Gonzalo
        Ignacio Marcos Mauricio Rodrigo Sergio Víctor Xavier Yahir Ezequiel Álvaro Benjamín
        Agustín Francisco Enrique Guillermo Pedro Pablo Manuel Javier Jose Emilio Angel Jesus
        Mateo Gael Iker Thiago João Tiago Rafael Gustavo Henrique Leonardo Vinícius Caio Davi
        Lucas Gonçalo Rui Nuno Anderson Wellington""",
    ),
    words(
        """Wei Jun Hao Ming Jian Chen Yi Kai Hiroshi Kenji Haruto Riku Sota Min-jun Seo-jun
        Ji-ho Do-yoon Minh Huy Khoa Bao Duc Tuan Long Phuc Quang Hieu Thanh Dat Nam Vinh Zihao
        Yuxuan Haoran Junjie Zhiwei Takumi Ren Daiki Jae-won Hyun-woo Sung-min""",
    ),
    words(
        """Arjun Aarav Vihaan Rohan Aditya Krishna Rahul Sanjay Vikram Dev Ishaan Kabir Nikhil
        Pranav Siddharth Arnav Ayaan Reyansh Vivaan Karan Rishi Aryan Harsh Tanvir Rafiq
        Imran Sakib Farhan""",
    ),
    words(
        """Mohamed Muhammad Ahmed Omar Ali Hassan Yusuf Ibrahim Khalid Karim Tariq Abdullahi
        Mamadou Ousmane Moussa Chinedu Emeka Kwame Kofi Jean Wesner Peterson Stanley Frantz
        Jean-Pierre Jean-Baptiste Wilguens Samir Bilal Hamza Mustafa Abdirahman Abdi Said
        Oluwaseun Chukwuemeka Babacar Cheikh Lamine Youssef Idris Kwabena Yaw""",
    ),
)

LAST: tuple[tuple[str, ...], ...] = (
    words(
        """Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore
        Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King
        Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips
        Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson
        Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray
        James Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan
        Fisher Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Woods
        Cole West Owens Marshall Ellis Stevens Tucker Porter Hunter Hicks Crawford Henry Boyd
        Mason Kennedy Warren Dixon Burns Gordon Shaw Holmes Rice Hunt Black Daniels Palmer Mills
        Grant Knight Ferguson Stone Hawkins Dunn Perkins Hudson Spencer Stephens Pierce Hansen
        Wagner Schmidt Fischer Weber Becker Hoffmann Koch Meyer Müller Schäfer O'Brien O'Connor
        O'Neill O'Sullivan O'Donnell O'Malley McCarthy McLaughlin McDonald MacKenzie Fitzgerald
        Gallagher Doherty Brennan Kavanagh Byrne Walsh Ryan Quinn Flanagan Donovan Keane
        D'Angelo D'Amico DiMaggio DeLuca Russo Romano Colombo Ricci Marino Greco Bruno Gallo
        Conti Costa Giordano Mancini Rizzo Lombardi Moretti Esposito Ferraro Caruso Kowalski
        Nowak Lewandowski Zielinski Kaminski Novak Horvat Petrov Ivanov Popescu Papadopoulos
        Nikolaidis Dubois Lefèvre Fontaine Bélanger Gagné Côté Thériault Lévesque Bouchard
        Pelletier Leblanc Gauthier Larsen Johansson Lindqvist Østergaard Nyström Åberg Wiley
        Freeman Washington Jefferson Banks Sims Robertson Bradley Lawson Fields Gaines Mack
        Battle Booker Greene Holloway Whitaker Singleton Boone Pope Lynch Hale Doyle Sweeney""",
    ),
    words(
        """García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres
        Flores Rivera Gómez Díaz Cruz Reyes Morales Ortiz Gutiérrez Chávez Ramos Ruiz Álvarez
        Mendoza Castillo Jiménez Vásquez Romero Herrera Medina Aguilar Vargas Guzmán Muñoz Peña
        Castro Ortega Delgado Soto Contreras Domínguez Guerrero Figueroa Salazar Rojas Núñez
        Ibáñez Cabrera Santiago Colón Serrano Meléndez Acosta Vega Marín Maldonado Espinoza
        Fuentes Carrillo Miranda Estrada Cordero Quiñones Báez Batista Rosario Santana
        Velázquez Zamora Valdez Sandoval Cervantes Ávila Montoya Paredes Benítez Campos Ochoa
        Lara Orozco Navarro Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez
        Ramirez Gomez Diaz Silva Santos Oliveira Souza Pereira Ferreira Alves Lima Gomes Ribeiro
        Carvalho Almeida Lopes Barbosa Fernandes Araújo Monteiro Mendes Cardoso Teixeira
        Correia Gonçalves Rocha Andrade Fonseca Tavares Medeiros Brandão Magalhães Conceição
        Nascimento Simões Assunção Pires""",
    ),
    words(
        """Nguyen Tran Le Pham Huynh Hoang Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Wang Li Zhang
        Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Kim Park Choi Jung
        Kang Cho Yoon Jang Lim Han Shin Seo Kwon Hwang Tanaka Suzuki Sato Watanabe Yamamoto
        Nakamura Kobayashi Ito Takahashi Chan Wong Lau Cheung Ng Tsang Leung Yip Truong Lam
        Cao Mai Trinh""",
    ),
    words(
        """Patel Shah Singh Kumar Sharma Gupta Reddy Rao Iyer Nair Desai Mehta Joshi Chowdhury
        Rahman Hossain Khan Agarwal Banerjee Chatterjee Mukherjee Pillai Menon Bhatt Kapoor
        Malhotra Verma Das Sen Islam Begum""",
    ),
    words(
        """Ahmed Ali Hussein Haddad Khoury Nasser Abdi Mohamed Hassan Yusuf Osei Mensah Okafor
        Okonkwo Adeyemi Diallo Traoré Camara Koné Touré Ndiaye Jean-Baptiste Pierre Joseph
        Charles Louis Étienne Desrosiers Toussaint Dorvil Saint-Fleur Augustin Exantus Jean-Louis
        Baptiste Célestin Noël Farah Warsame Jama Omar Abdullahi Boateng Asante Owusu Eze
        Nwosu Obi Balogun Sow Ba Cissé Keita""",
    ),
)

#: Formal first name → nicknames a clerk might type instead.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Kathryn": ("Kate", "Katie"),
    "Kathleen": ("Kathy", "Kate"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Michael": ("Mike", "Mikey"),
    "Richard": ("Rick", "Rich", "Dick"),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Christopher": ("Chris",),
    "Christian": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Nicholas": ("Nick", "Nicky"),
    "Alexander": ("Alex", "Xander"),
    "Benjamin": ("Ben", "Benny"),
    "Jonathan": ("Jon", "Johnny"),
    "John": ("Jack", "Johnny"),
    "Samuel": ("Sam", "Sammy"),
    "Andrew": ("Andy", "Drew"),
    "Jennifer": ("Jen", "Jenny"),
    "Jessica": ("Jess", "Jessie"),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam", "Sammy"),
    "Alexandra": ("Alex", "Lexi"),
    "Victoria": ("Tori", "Vicky"),
    "Abigail": ("Abby",),
    "Gabriella": ("Gabby", "Ella"),
    "Isabella": ("Bella", "Izzy"),
    "Madison": ("Maddie",),
    "Madelyn": ("Maddie",),
    "Natalie": ("Nat",),
    "Stephanie": ("Steph",),
    "Charlotte": ("Charlie", "Lottie"),
    "Theodore": ("Teddy", "Theo"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Patrick": ("Pat", "Paddy"),
    "Timothy": ("Tim", "Timmy"),
    "Zachary": ("Zach", "Zack"),
    "Nathaniel": ("Nate", "Nat"),
    "Nathan": ("Nate",),
    "Jacob": ("Jake",),
    "Joshua": ("Josh",),
    "Kenneth": ("Ken", "Kenny"),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Gregory": ("Greg",),
    "Jeffrey": ("Jeff",),
    "Raymond": ("Ray",),
    "Lawrence": ("Larry",),
    "Francis": ("Frank",),
    "Frederick": ("Fred", "Freddie"),
    "Dominic": ("Dom",),
    "Sebastian": ("Seb",),
    "Caroline": ("Carrie", "Carol"),
    "Jacqueline": ("Jackie",),
    "Pamela": ("Pam",),
    "Deborah": ("Debbie", "Deb"),
    "Allison": ("Ally", "Allie"),
    "Olivia": ("Liv", "Livvy"),
    "Evelyn": ("Evie",),
    "Eleanor": ("Ellie", "Nora"),
    "Penelope": ("Penny",),
    "Amelia": ("Millie",),
    "Lillian": ("Lily",),
    "Josephine": ("Josie", "Jo"),
    "Francesca": ("Frankie",),
    "Francisco": ("Paco", "Pancho"),
    "José": ("Pepe",),
    "Jose": ("Pepe",),
    "Guadalupe": ("Lupe",),
    "Alejandro": ("Alex",),
    "Alejandra": ("Alex",),
    "Eduardo": ("Lalo",),
    "Enrique": ("Kike",),
    "Ignacio": ("Nacho",),
    "Jesús": ("Chuy",),
    "Guillermo": ("Memo",),
    "Fernanda": ("Fer",),
    "Mohamed": ("Mo",),
    "Muhammad": ("Mo",),
    "Ibrahim": ("Ibby",),
    "Mikhail": ("Misha",),
    "Dmitri": ("Dima",),
    "Anastasia": ("Nastya", "Stacy"),
}


def weights(n: int) -> np.ndarray:
    """Draw probabilities for a list of n names: earlier names more common (Zipf-like)."""
    w = 1.0 / (np.arange(n) + 8.0)
    return w / w.sum()


def all_names() -> set[str]:
    """Every name the lists can produce (for encoding checks)."""
    names: set[str] = set()
    for group in (*FEMALE, *MALE, *LAST):
        names.update(group)
    for formal, nicks in NICKNAMES.items():
        names.add(formal)
        names.update(nicks)
    return names
